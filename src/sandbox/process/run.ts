import type { BackendSandbox, SpawnOptions } from '../backend.js';

export interface OneShotResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Default bound on what a one-shot process's output may hold in memory, per stream. */
const ONE_SHOT_MAX_BYTES = 1024 * 1024;

/**
 * Run a command through its own process (not the session), for control work: kills,
 * listings. Each stream keeps its first `maxBytes` bytes; the rest is read and dropped.
 */
export async function runOneShot(box: BackendSandbox, argv: string[], options: SpawnOptions & { maxBytes?: number; stdinData?: Buffer } = {}): Promise<OneShotResult> {
  const max = options.maxBytes ?? ONE_SHOT_MAX_BYTES;
  const proc = await box.spawn(argv, { env: options.env, cwd: options.cwd, user: options.user, stdin: options.stdinData !== undefined });
  const out = boundedSink(max);
  const err = boundedSink(max);
  await new Promise<void>((resolve) => {
    proc.onData((stream, chunk) => (stream === 1 ? out : err).push(chunk));
    proc.onEnd(resolve);
    if (options.stdinData !== undefined) proc.end(options.stdinData);
  });
  return { exitCode: await proc.exitCode(), stdout: out.bytes(), stderr: err.bytes() };
}

/** Keeps the first `max` bytes of a stream and drops the rest. */
function boundedSink(max: number): { push: (chunk: Buffer) => void; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  let kept = 0;
  return {
    push: (chunk: Buffer) => {
      if (kept >= max) return;
      const part = chunk.subarray(0, max - kept);
      parts.push(Buffer.from(part));
      kept += part.length;
    },
    bytes: () => Buffer.concat(parts),
  };
}
