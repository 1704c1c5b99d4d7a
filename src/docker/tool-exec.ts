import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AbortedError } from '../core/errors.js';
import type { ToolRunOptions, ToolRunResult } from '../core/contracts.js';
import { FrameDemuxer } from './frames.js';
import { killTree, runOneShot } from './one-shot.js';

/** The environment of every tool process: fixed, whatever the agent exported in its shell. */
export const TOOL_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C'];
const STDERR_CAP = 16 * 1024;
const STATUS_MARK = '\x1eforager-status ';

/**
 * Run a `/bin/sh` script through its own exec, outside the agent's session: a clean
 * PATH, no functions or aliases, in `cwd` (or `/` when it is gone). Stdin is fed from a
 * buffer; stdout is kept up to `maxStdoutBytes` (the process is killed past it), so no
 * container can make the harvester hold more than that.
 */
export async function runToolScript(container: Docker.Container, script: string, args: string[], options: ToolRunOptions & { cwd: string }): Promise<ToolRunResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const started = performance.now();
  const tag = `forager-tool-${randomBytes(8).toString('hex')}`;
  const exec = await container.exec({
    // The status is the last thing on stderr, so no inspect round trip is needed for it.
    Cmd: ['/bin/sh', '-c', `cd -- "$1" 2>/dev/null || cd /\nshift\n(\n${script}\n)\nprintf '${STATUS_MARK}%d' "$?" >&2`, tag, options.cwd, ...args],
    AttachStdin: options.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Env: TOOL_ENV,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined })) as unknown as Duplex;
  const out: Buffer[] = [];
  let outBytes = 0;
  const err: Buffer[] = [];
  let errBytes = 0;
  let errTail = Buffer.alloc(0);
  let overflow = false;
  let timedOut = false;
  let aborted = false;
  let killing: Promise<void> | undefined;
  const kill = () => {
    killing ??= killTagged(container, tag).catch(() => undefined);
    stream.destroy();
  };
  const demux = new FrameDemuxer((type, payload) => {
    if (type === 1) {
      const room = options.maxStdoutBytes - outBytes;
      if (payload.length > room) {
        if (room > 0) out.push(Buffer.from(payload.subarray(0, room)));
        outBytes += Math.max(room, 0);
        overflow = true;
        kill();
        return;
      }
      out.push(Buffer.from(payload));
      outBytes += payload.length;
    } else {
      errTail = Buffer.concat([errTail, payload]).subarray(-64);
      if (errBytes < STDERR_CAP) {
        const part = payload.subarray(0, STDERR_CAP - errBytes);
        err.push(Buffer.from(part));
        errBytes += part.length;
      }
    }
  });
  const timer = setTimeout(() => { timedOut = true; kill(); }, options.timeoutMs);
  const onAbort = () => { aborted = true; kill(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
      if (options.stdin !== undefined) {
        // A reader that stops early (or a killed one) closes the pipe: that is not our error.
        stream.on('error', () => undefined);
        stream.end(options.stdin);
      }
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  await killing;
  if (aborted) throw new AbortedError('the tool was aborted');
  const status = new RegExp(`${STATUS_MARK}(\\d+)$`).exec(errTail.toString('latin1'));
  const exitCode = timedOut || overflow ? null : status ? Number(status[1]) : await exitCodeOf(exec);
  const stderr = Buffer.concat(err);
  const markAt = stderr.lastIndexOf(STATUS_MARK);
  return {
    exitCode,
    stdout: Buffer.concat(out),
    stdoutOverflow: overflow,
    stderr: status && markAt >= 0 ? stderr.subarray(0, markAt) : stderr,
    timedOut,
    durationMs: performance.now() - started,
  };
}

async function exitCodeOf(exec: Docker.Exec): Promise<number | null> {
  for (let i = 0; i < 40; i += 1) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

/** SIGKILL the tool script (found by its tag in argv) and everything under it. */
async function killTagged(container: Docker.Container, tag: string): Promise<void> {
  const found = await runOneShot(container, ['bash', '-c', `for p in /proc/[0-9]*; do
  a=(); mapfile -d '' a < "$p/cmdline" 2>/dev/null
  [ "\${a[3]}" = ${tag} ] && [ "\${p#/proc/}" != $$ ] && echo "\${p#/proc/}"
done; :`], { env: TOOL_ENV });
  for (const pid of found.stdout.split('\n').filter((s) => /^\d+$/.test(s)).map(Number)) {
    await killTree(container, pid);
    await runOneShot(container, ['/bin/sh', '-c', `kill -KILL ${pid} 2>/dev/null; :`], { env: TOOL_ENV });
  }
}
