import { AbortedError } from '../../core/errors.js';
import { OutputCapture } from '../../core/capture.js';
import type { BackendSandbox } from '../backend.js';

export interface IsolatedResult {
  stdout: OutputCapture;
  stderr: OutputCapture;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Run harness work (patch extraction, test runs) in its own process, never the agent's
 * session: a fresh bash with no profile, the sandbox's environment and none of the
 * agent's functions, aliases or traps. Output is bounded like an observation's; the
 * command is SIGKILLed by coreutils `timeout` when it overruns.
 */
export async function runIsolated(
  box: BackendSandbox,
  command: string,
  options: { cwd: string; timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal },
): Promise<IsolatedResult> {
  const started = performance.now();
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const proc = await box.spawn(['/usr/bin/timeout', '-s', 'KILL', String(seconds), '/bin/bash', '--noprofile', '--norc', '-c', command], { cwd: options.cwd });
  const stdout = new OutputCapture(options.maxOutputBytes);
  const stderr = new OutputCapture(options.maxOutputBytes);
  let aborted = false;
  await new Promise<void>((resolve) => {
    // `timeout` ends the command; this only guards against a process that never ends.
    const guard = setTimeout(resolve, options.timeoutMs + 30_000);
    const onAbort = () => { aborted = true; resolve(); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    proc.onData((stream, chunk) => (stream === 1 ? stdout : stderr).push(chunk));
    proc.onEnd(() => { clearTimeout(guard); options.signal?.removeEventListener('abort', onAbort); resolve(); });
  });
  proc.close();
  if (aborted) throw new AbortedError('the harness command was aborted');
  const exitCode = await proc.exitCode();
  const durationMs = performance.now() - started;
  return { stdout, stderr, exitCode, timedOut: exitCode === 137 && durationMs >= seconds * 1000 - 50, durationMs };
}
