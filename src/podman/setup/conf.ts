import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** An rlimit as `soft:hard` for containers.conf, or undefined when unlimited (Podman's default then holds). */
export interface HostRlimits {
  nofile?: number;
  nproc?: number;
}

/**
 * The hard limits of `/proc/self/limits` for open files and processes. A service started by
 * this process inherits them, and its containers may not be given more where root lacks
 * CAP_SYS_RESOURCE (as on forager's CI machines: "error setting rlimit type 7").
 */
export function parseRlimits(text: string): HostRlimits {
  const hard = (name: string): number | undefined => {
    const match = new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, 'm').exec(text);
    return match?.[1] && /^\d+$/.test(match[1]) ? Number(match[1]) : undefined;
  };
  return { nofile: hard('Max open files'), nproc: hard('Max processes') };
}

/**
 * The rlimits a Podman service started by this process will hold: this process's hard
 * limits, with processes capped at kernel.pid_max, as Podman caps its own on start
 * (measured: 96367 here became 32768, this kernel's pid_max).
 */
export function readRlimits(): HostRlimits {
  try {
    const limits = parseRlimits(readFileSync('/proc/self/limits', 'latin1'));
    const pidMax = Number.parseInt(readFileSync('/proc/sys/kernel/pid_max', 'latin1'), 10);
    if (limits.nproc !== undefined && Number.isFinite(pidMax)) limits.nproc = Math.min(limits.nproc, pidMax);
    return limits;
  } catch {
    return {};
  }
}

/**
 * The containers.conf of the Podman service forager starts: rlimits no higher than the
 * service's own (Podman as root otherwise asks for 1048576 open files and fails where
 * root may not raise them), and Docker's default environment (PATH only: Podman's default
 * adds TERM=xterm, which changes what programs in the sandbox print).
 */
export function containersConf(limits: HostRlimits): string {
  const ulimits = [
    ...(limits.nofile ? [`"nofile=${limits.nofile}:${limits.nofile}"`] : []),
    ...(limits.nproc ? [`"nproc=${limits.nproc}:${limits.nproc}"`] : []),
  ];
  return [
    '# Written by `forager setup --sandbox podman` for the Podman API service it starts',
    '# (read through CONTAINERS_CONF by that service only; /etc/containers is left as it is).',
    '[containers]',
    `default_ulimits = [${ulimits.join(', ')}]`,
    'env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]',
    '',
  ].join('\n');
}

/** Where forager keeps its containers.conf: /etc/forager/podman as root, else under XDG_CONFIG_HOME. */
export function confPath(uid = process.getuid?.() ?? 0, env: NodeJS.ProcessEnv = process.env): string {
  if (uid === 0) return '/etc/forager/podman/containers.conf';
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'forager', 'podman', 'containers.conf');
}

/** Write the file when its content differs; whether it changed. */
export async function writeContainersConf(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === content) return false;
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
  return true;
}
