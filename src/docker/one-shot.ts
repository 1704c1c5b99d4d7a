import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { AbortedError } from '../core/errors.js';
import { OutputCapture } from '../core/capture.js';
import { FrameDemuxer } from './frames.js';

export interface OneShotResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes, when asked for with `raw`. */
  stdoutBytes?: Buffer;
}

/** Default bound on what a one-shot exec's output may hold in memory, per stream. */
const ONE_SHOT_MAX_BYTES = 1024 * 1024;

/** Run a command through its own exec (not the session): for control work like killing. */
export async function runOneShot(
  container: Docker.Container,
  cmd: string[],
  options: { env?: string[]; cwd?: string; user?: string; maxBytes?: number; raw?: boolean } = {},
): Promise<OneShotResult> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Env: options.env,
    WorkingDir: options.cwd,
    User: options.user,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const max = options.maxBytes ?? ONE_SHOT_MAX_BYTES;
  const out = boundedSink(max);
  const err = boundedSink(max);
  const stdout = new PassThrough().on('data', out.push);
  const stderr = new PassThrough().on('data', err.push);
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
  });
  const info = await exec.inspect();
  const bytes = out.bytes();
  return {
    exitCode: info.ExitCode ?? null,
    stdout: bytes.toString('utf8'),
    stderr: err.bytes().toString('utf8'),
    ...(options.raw ? { stdoutBytes: bytes } : {}),
  };
}

/** Keeps the first `max` bytes of a stream and drops the rest. */
function boundedSink(max: number): { push: (chunk: Buffer) => void; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  let kept = 0;
  return {
    push: (chunk: Buffer) => {
      if (kept >= max) return;
      const part = chunk.subarray(0, max - kept);
      parts.push(part);
      kept += part.length;
    },
    bytes: () => Buffer.concat(parts),
  };
}

/** Bash (builtins only, no fork) that SIGKILLs the tree under a PID, stopping each first. */
const WALK = `
walk() {
  local t c kids
  kill -STOP "$1" 2>/dev/null
  for t in /proc/$1/task/*/children; do
    kids=(); read -r -a kids < "$t" 2>/dev/null
    for c in "\${kids[@]}"; do walk "$c"; done
  done
  kill -KILL "$1" 2>/dev/null
}`;

/**
 * SIGKILL the process trees the session `pid` started at or after `sinceTicks` (the
 * kernel's clock ticks since boot, as /proc/PID/stat field 22 counts them): the command
 * that overran, whatever it forked. Older children of the session (background jobs of
 * earlier steps) are spared. Without `sinceTicks` every child goes. Works without procps
 * and without forking, so a fork bomb cannot stop it.
 */
export async function killTree(container: Docker.Container, pid: number, sinceTicks?: number): Promise<void> {
  const since = sinceTicks === undefined ? -1 : Math.max(0, sinceTicks);
  await runKiller(container, `${WALK}
since=${since}
for t in /proc/${pid}/task/*/children; do
  kids=(); read -r -a kids < "$t" 2>/dev/null
  for c in "\${kids[@]}"; do
    if [ "$since" -ge 0 ]; then
      stat=; read -r stat < "/proc/$c/stat" 2>/dev/null || continue
      rest=(\${stat##*) })
      [ "\${rest[19]:-0}" -lt "$since" ] && continue
    fi
    walk "$c"
  done
done`);
}

/**
 * SIGKILL every process in the container but init, the dead-man (`sleep SECONDS`) and
 * `spare` (container PIDs): the session, its children and anything orphaned when nothing
 * is spared; a fork bomb's processes when the session is. Returns how many were killed.
 */
export async function killAllButInit(container: Docker.Container, deadman: string[], spare: number[] = []): Promise<number> {
  const keep = deadman.join(' ');
  // Collect first, then stop them all, then kill: nothing stopped can fork again. Twice:
  // what forked between the listing and the stop is caught by the second round.
  const out = await runKiller(container, `
total=0
for round in 1 2 3; do
victims=()
for p in /proc/[0-9]*; do
  pid=\${p#/proc/}
  case " 1 $$ ${spare.join(' ')} " in *" $pid "*) continue;; esac
  args=(); mapfile -d '' args < "$p/cmdline" 2>/dev/null
  [ "\${args[*]}" = ${JSON.stringify(keep)} ] || victims+=("$pid")
done
[ \${#victims[@]} -eq 0 ] && break
kill -STOP "\${victims[@]}" 2>/dev/null
kill -KILL "\${victims[@]}" 2>/dev/null
total=$((total + \${#victims[@]}))
done
printf '%d' "$total"`);
  return Number.parseInt(out, 10) || 0;
}

async function runKiller(container: Docker.Container, script: string): Promise<string> {
  try {
    return (await runOneShot(container, ['bash', '-c', `${script}\n:`], { maxBytes: 4096 })).stdout;
  } catch (error) {
    // Every PID may be taken: lend the container a few more for the killer, then restore.
    const info = await container.inspect();
    const limit = info.HostConfig.PidsLimit;
    if (!limit || limit <= 0) throw error;
    await container.update({ PidsLimit: limit + 16 });
    try {
      return (await runOneShot(container, ['bash', '-c', `${script}\n:`], { maxBytes: 4096 })).stdout;
    } finally {
      await container.update({ PidsLimit: limit }).catch(() => undefined);
    }
  }
}

export interface IsolatedResult {
  stdout: OutputCapture;
  stderr: OutputCapture;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Run harness work (patch extraction, test runs) in its own exec, never the agent's
 * session: a fresh bash with no profile, the container's environment and none of the
 * agent's functions, aliases or traps. Output is bounded like an observation's; the
 * command is SIGKILLed by coreutils `timeout` when it overruns.
 */
export async function runIsolated(
  container: Docker.Container,
  command: string,
  options: { cwd: string; timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal },
): Promise<IsolatedResult> {
  const started = performance.now();
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const exec = await container.exec({
    Cmd: ['/usr/bin/timeout', '-s', 'KILL', String(seconds), '/bin/bash', '--noprofile', '--norc', '-c', command],
    AttachStdout: true,
    AttachStderr: true,
    WorkingDir: options.cwd,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new OutputCapture(options.maxOutputBytes);
  const stderr = new OutputCapture(options.maxOutputBytes);
  const demux = new FrameDemuxer((type, payload) => (type === 1 ? stdout : stderr).push(payload));
  stream.on('data', (chunk: Buffer) => demux.push(chunk));
  let aborted = false;
  await new Promise<void>((resolve) => {
    // `timeout` ends the command; this only guards against an exec that never ends.
    const guard = setTimeout(resolve, options.timeoutMs + 30_000);
    const onAbort = () => { aborted = true; resolve(); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => { clearTimeout(guard); options.signal?.removeEventListener('abort', onAbort); resolve(); };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  stream.destroy();
  if (aborted) throw new AbortedError('the harness command was aborted');
  const info = await exec.inspect().catch(() => undefined);
  const exitCode = info && !info.Running ? info.ExitCode ?? null : null;
  const durationMs = performance.now() - started;
  return { stdout, stderr, exitCode, timedOut: exitCode === 137 && durationMs >= seconds * 1000 - 50, durationMs };
}
