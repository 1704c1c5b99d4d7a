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
 * SIGKILL every descendant of `pid`: the command a session is running, whatever it
 * forked. Works without procps and without forking, so a fork bomb cannot stop it.
 */
export async function killTree(container: Docker.Container, pid: number): Promise<void> {
  await runKiller(container, `${WALK}
for t in /proc/${pid}/task/*/children; do
  kids=(); read -r -a kids < "$t" 2>/dev/null
  for c in "\${kids[@]}"; do walk "$c"; done
done`);
}

/**
 * SIGKILL every process in the container but init and the dead-man (`sleep SECONDS`):
 * the session, its children and anything orphaned. The last resort before giving up.
 */
export async function killAllButInit(container: Docker.Container, deadman: string[]): Promise<void> {
  const keep = deadman.join(' ');
  // Collect first, then stop them all, then kill: nothing stopped can fork again.
  await runKiller(container, `
victims=()
for p in /proc/[0-9]*; do
  pid=\${p#/proc/}
  [ "$pid" = 1 ] || [ "$pid" = $$ ] && continue
  args=(); mapfile -d '' args < "$p/cmdline" 2>/dev/null
  [ "\${args[*]}" = ${JSON.stringify(keep)} ] || victims+=("$pid")
done
kill -STOP "\${victims[@]}" 2>/dev/null
kill -KILL "\${victims[@]}" 2>/dev/null`);
}

async function runKiller(container: Docker.Container, script: string): Promise<void> {
  try {
    await runOneShot(container, ['bash', '-c', `${script}\n:`]);
  } catch (error) {
    // Every PID may be taken: lend the container a few more for the killer, then restore.
    const info = await container.inspect();
    const limit = info.HostConfig.PidsLimit;
    if (!limit || limit <= 0) throw error;
    await container.update({ PidsLimit: limit + 16 });
    try {
      await runOneShot(container, ['bash', '-c', `${script}\n:`]);
    } finally {
      await container.update({ PidsLimit: limit }).catch(() => undefined);
    }
  }
}
