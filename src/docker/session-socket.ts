import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type Docker from 'dockerode';
import type { SessionSocketDir } from '../sandbox/backend.js';
import { processStartTime } from '../sandbox/labels.js';

/**
 * Where the sandbox sees its session socket directory. Under /dev, the engine's own tmpfs:
 * the mount point is made there, not in the writable layer the state reader watches.
 */
export const SESSION_SOCKET_TARGET = '/dev/forager-session';
const PREFIX = 'forager-session-';

/** A sandbox's session socket directory and the mount that binds it in. */
export interface SessionSocketMount {
  dir: SessionSocketDir;
  mount: NonNullable<Docker.HostConfig['Mounts']>[number];
}

/**
 * A fresh private directory (0700, mkdtemp's) under this host's temporary directory, bound
 * read-only into the sandbox: the sandbox can connect to a socket the harvester makes there
 * (connect is not a write to the file system) but can put nothing in it. Named after this
 * process (PID and start), so a harvester that dies before its session opened (which
 * removes it) leaves one that `forager gc` finds. However long the temporary directory's path,
 * the socket is made there (socket-transport.ts reaches a deep one through a descriptor).
 */
export async function makeSessionSocketDir(): Promise<SessionSocketMount> {
  const owner = `${process.pid}-${processStartTime(process.pid) ?? 'unknown'}-`;
  const hostDir = await mkdtemp(join(tmpdir(), `${PREFIX}${owner}`));
  return {
    dir: { hostDir, sandboxDir: SESSION_SOCKET_TARGET },
    mount: { Type: 'bind', Source: hostDir, Target: SESSION_SOCKET_TARGET, ReadOnly: true },
  };
}

/** Remove the directory, if the session has not already (a start that failed before it). */
export async function removeSessionSocketDir(dir: SessionSocketDir): Promise<void> {
  await rm(dir.hostDir, { recursive: true, force: true });
}

/** A directory forager made for a session socket, by its name. */
const DIR_NAME = /^forager-session-(\d+)-([^-]+)-[A-Za-z0-9]{6}$/;

/**
 * Session socket directories (in this process's temporary directory) of harvesters that are
 * gone and that no container the engine lists still binds (those go with their container:
 * `removeContainerSocketDir`): removed unless `dryRun`.
 */
export async function reapSessionSocketDirs(docker: Docker, isOwnerAlive: (pid: number, start: string) => boolean, dryRun = false): Promise<string[]> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  const candidates = names.filter((name) => {
    const match = DIR_NAME.exec(name);
    return match !== null && !isOwnerAlive(Number(match[1]), match[2]!);
  });
  if (candidates.length === 0) return [];
  const bound = new Set((await docker.listContainers({ all: true })).flatMap((c) => (c.Mounts ?? []).map((m) => m.Source)));
  const reaped: string[] = [];
  for (const name of candidates) {
    const path = join(tmpdir(), name);
    if (bound.has(path)) continue;
    reaped.push(name);
    if (!dryRun) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
  return reaped;
}

/** The session socket directory a container binds, if forager made it: read before the container is removed. */
export async function containerSocketDir(docker: Docker, id: string): Promise<string | undefined> {
  const info = await docker.getContainer(id).inspect().catch(() => undefined);
  const source = info?.Mounts.find((m) => m.Destination === SESSION_SOCKET_TARGET)?.Source;
  return source && DIR_NAME.test(basename(source)) ? source : undefined;
}
