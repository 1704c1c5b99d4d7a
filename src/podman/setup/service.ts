import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { findProgram } from '../../core/host-command.js';
import { isPidFileAlive, readLogTail } from '../../core/host-os.js';
import type { Logger } from '../../core/log.js';
import { sleep } from '../../core/sleep.js';
import { pingEngine } from '../../docker/index.js';
import { defaultSocket } from '../endpoint.js';
import { confPath, containersConf, readRlimits, writeContainersConf } from './conf.js';

export interface ServiceStatus {
  /** `found`: it already answered; `started`: forager started `podman system service`. */
  action: 'found' | 'started';
  where: string;
  /** The containers.conf the started service reads, and whether this call wrote it. */
  conf?: { path: string; written: boolean; content: string };
  log?: string;
}

/**
 * Make sure a Podman API service answers at `endpoint`; when none does and the endpoint
 * is this user's default socket, start `podman system service` there, detached and with
 * no timeout (there is no systemd to socket-activate it), reading forager's containers.conf.
 */
export async function ensureService(options: { endpoint: string; docker: Docker; log: Logger; startTimeoutMs?: number }): Promise<ServiceStatus> {
  const { endpoint, docker, log } = options;
  if (await pingEngine(docker)) return { action: 'found', where: endpoint };
  const socket = defaultSocket();
  if (endpoint !== `unix://${socket}`) {
    throw new InfrastructureError('ENGINE_UNREACHABLE', `No Podman service answers at ${endpoint}. forager starts one only on this user's default socket (unix://${socket}): start the service at ${endpoint} yourself (\`podman system service -t 0 ${endpoint}\`), or unset CONTAINER_HOST.`, { context: { where: endpoint } });
  }
  const podman = findProgram('podman');
  if (!podman) throw new InfrastructureError('ENGINE_UNREACHABLE', 'podman is not installed: run `forager setup --sandbox podman` as root (installs Debian\'s podman), or install it yourself.');

  const files = serviceFiles();
  const content = containersConf(readRlimits());
  const written = await writeContainersConf(files.conf, content);
  if (!isPidFileAlive(files.pid)) {
    if (existsSync(socket)) {
      // Something listening there is a service that does not answer (wedged, or starting
      // under another's hand): never take its socket. One left by a service that died
      // would make the new one fail to listen.
      if (await listens(socket)) throw new InfrastructureError('ENGINE_START_FAILED', `Something listens on ${socket} but does not answer the API: stop it (or wait for it), then run forager setup --sandbox podman again.`, { context: { where: endpoint } });
      rmSync(socket, { force: true });
    }
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    mkdirSync(dirname(files.log), { recursive: true });
    const fd = openSync(files.log, 'a');
    const child = spawn(podman, [...files.storage, 'system', 'service', '--time', '0', endpoint], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, CONTAINERS_CONF: files.conf },
    });
    closeSync(fd);
    child.on('error', () => undefined);
    child.unref();
    if (child.pid) writeFileSync(files.pid, `${child.pid}\n`);
    log.info({ pid: child.pid, endpoint, conf: files.conf, log: files.log }, 'started podman system service');
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (await pingEngine(docker, 1_000)) return { action: 'started', where: endpoint, conf: { path: files.conf, written, content }, log: files.log };
    if (!isPidFileAlive(files.pid)) break;
    await sleep(250);
  }
  throw new InfrastructureError('ENGINE_START_FAILED', `podman system service did not answer at ${endpoint}. Last lines of ${files.log}:\n${readLogTail(files.log)}`, { context: { where: endpoint } });
}

/**
 * forager's files for the service it starts: its containers.conf, log and pid file, and
 * (rootless) a store of its own on the overlay driver. A user's default rootless store is
 * often vfs, which copies the whole image at each start (9.5 s here against 0.33 s), and a
 * store cannot change driver once it holds images.
 */
function serviceFiles(): { conf: string; log: string; pid: string; storage: string[] } {
  const root = process.getuid?.() === 0;
  const state = root ? '/var/log' : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'forager');
  const run = dirname(defaultSocket());
  const data = join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'forager', 'podman');
  return {
    conf: confPath(),
    log: join(state, 'forager-podman.log'),
    pid: join(run, 'forager-podman.pid'),
    storage: root ? [] : ['--root', join(data, 'storage'), '--runroot', join(dirname(run), 'forager-podman'), '--storage-driver', 'overlay'],
  };
}

/** Whether a process accepts connections on the unix socket at `path`. */
function listens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.setTimeout(2_000, () => { socket.destroy(); resolve(true); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

