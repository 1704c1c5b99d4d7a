import { randomBytes } from 'node:crypto';
import { AbortedError } from '../../core/errors.js';
import type { ToolRunOptions, ToolRunResult } from '../../core/contracts.js';
import type { BackendSandbox } from '../backend.js';
import { execKiller } from './kill.js';
import { runOneShot } from './run.js';

import { TOOL_ENV } from './tool-env.js';

export { TOOL_ENV };
const STDERR_CAP = 16 * 1024;
const STATUS_MARK = '\x1eforager-status ';

/**
 * Run a `/bin/sh` script in its own process, outside the agent's session: a clean PATH,
 * no functions or aliases, in `cwd` (or `/` when it is gone). Stdin is fed from a buffer;
 * stdout is kept up to `maxStdoutBytes` (the process is killed past it), so no sandbox
 * can make the harvester hold more than that.
 */
export async function runToolScript(box: BackendSandbox, script: string, args: string[], options: ToolRunOptions & { cwd: string }): Promise<ToolRunResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const started = performance.now();
  const tag = `forager-tool-${randomBytes(8).toString('hex')}`;
  // The status is the last thing on stderr, so no round trip is needed for it. Stdin the
  // script left unread is drained before it ends: Podman's attach, when a process exits
  // with stdin still coming, writes its own "Error: … connection reset by peer" frame into
  // stderr and may drop the process's output.
  const drain = options.stdin !== undefined ? 'cat >/dev/null 2>&1\n' : '';
  const proc = await box.spawn(
    ['/bin/sh', '-c', `cd -- "$1" 2>/dev/null || cd /\nshift\n(\n${script}\n)\n__forager_status=$?\n${drain}printf '${STATUS_MARK}%d' "$__forager_status" >&2`, tag, options.cwd, ...args],
    { env: TOOL_ENV, stdin: options.stdin !== undefined },
  );
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
    killing ??= killTagged(box, tag).catch(() => undefined);
    proc.close();
  };
  const timer = setTimeout(() => { timedOut = true; kill(); }, options.timeoutMs);
  const onAbort = () => { aborted = true; kill(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve) => {
      proc.onData((type, payload) => {
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
      proc.onEnd(resolve);
      if (options.stdin !== undefined) proc.end(options.stdin);
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  await killing;
  if (aborted) throw new AbortedError('the tool was aborted');
  const status = new RegExp(`${STATUS_MARK}(\\d+)$`).exec(errTail.toString('latin1'));
  const exitCode = timedOut || overflow ? null : status ? Number(status[1]) : await proc.exitCode();
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

/** SIGKILL the tool script (found by its tag in argv) and everything under it. */
async function killTagged(box: BackendSandbox, tag: string): Promise<void> {
  const found = await runOneShot(box, ['/bin/bash', '-c', `for p in /proc/[0-9]*; do
  a=(); mapfile -d '' a < "$p/cmdline" 2>/dev/null
  [ "\${a[3]}" = ${tag} ] && [ "\${p#/proc/}" != $$ ] && echo "\${p#/proc/}"
done; :`], { env: TOOL_ENV });
  for (const pid of found.stdout.toString('latin1').split('\n').filter((s) => /^\d+$/.test(s)).map(Number)) {
    await execKiller(box).killShell(pid);
  }
}
