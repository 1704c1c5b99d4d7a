import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface OneShotResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command through its own exec (not the session): for control work like killing. */
export async function runOneShot(
  container: Docker.Container,
  cmd: string[],
  options: { env?: string[]; cwd?: string; user?: string } = {},
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
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
  const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * SIGKILL every descendant of `pid` (stopping each first so nothing respawns), and `pid`
 * itself when `includeSelf`. Walks /proc/PID/task/TID/children: no procps needed.
 */
export async function killTree(container: Docker.Container, pid: number, includeSelf: boolean): Promise<void> {
  const script = `
walk() { local c; kill -STOP "$1" 2>/dev/null; for c in $(cat /proc/$1/task/*/children 2>/dev/null); do walk "$c"; done; kill -KILL "$1" 2>/dev/null; }
for c in $(cat /proc/${pid}/task/*/children 2>/dev/null); do walk "$c"; done
${includeSelf ? `kill -KILL ${pid} 2>/dev/null` : ''}
true`;
  await runOneShot(container, ['bash', '-c', script]);
}
