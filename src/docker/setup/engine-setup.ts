import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sleep } from '../../core/sleep.js';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { engine, pingEngine } from '../engine.js';
import { describeEndpoint } from '../images/endpoint.js';
import { findProgram, isRoot, runHostCommand } from '../../core/host-command.js';
import { describeOs, isDebianLike, isPidFileAlive, readLogTail, readOsRelease } from '../../core/host-os.js';
import { silentLogger, type Logger } from '../../core/log.js';

export const DOCKERD_LOG = '/var/log/forager-dockerd.log';
const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EnsureEngineOptions {
  /** Install docker.io with apt and start dockerd when no engine answers (root on Debian/Ubuntu only). */
  install: boolean;
  log?: Logger;
  /** The engine to reach (default: DOCKER_HOST or the local socket). */
  docker?: Docker;
  /** How long a freshly started dockerd may take to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface EngineStatus {
  /** `found`: it already answered; `started`: we started dockerd; `installed`: we installed docker.io, then started it. */
  action: 'found' | 'started' | 'installed';
  where: string;
}

/** Make sure a Docker engine answers; on a bare Debian/Ubuntu machine as root, install and start one. */
export async function ensureEngine(options: EnsureEngineOptions): Promise<EngineStatus> {
  const docker = options.docker ?? engine();
  const log = options.log ?? silentLogger;
  const where = describeEndpoint(docker);
  if (await pingEngine(docker)) return { action: 'found', where };
  const missing = (how: string): InfrastructureError =>
    new InfrastructureError('ENGINE_UNREACHABLE', `No Docker engine answers at ${where}. ${how}`, { context: { where } });

  if (!options.install) throw missing('Start one (or run `forager setup` without --no-install as root on Debian/Ubuntu), or point DOCKER_HOST at one.');
  if (where !== `unix://${DEFAULT_SOCKET}`) throw missing(`forager only installs a local engine on ${DEFAULT_SOCKET}: start the engine at ${where}, or unset DOCKER_HOST.`);
  if (!isRoot()) throw missing('Installing one needs root: run `sudo forager setup`, or install Docker yourself (https://docs.docker.com/engine/install/) and start it.');
  const os = readOsRelease();
  if (!isDebianLike(os)) throw missing(`forager installs Docker only on Debian/Ubuntu; this is ${describeOs(os)}: install Docker Engine for it (https://docs.docker.com/engine/install/) and start it.`);

  let action: EngineStatus['action'] = 'started';
  if (!findProgram('dockerd')) {
    await installDockerPackages(log);
    action = 'installed';
  }
  await startDockerd(docker, log, options.startTimeoutMs ?? 60_000);
  return { action, where };
}

async function installDockerPackages(log: Logger): Promise<void> {
  if (!findProgram('apt-get')) {
    throw new InfrastructureError('ENGINE_INSTALL_FAILED', 'dockerd is missing and apt-get is not available to install docker.io: install Docker Engine yourself and start it.');
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'docker.io', 'iptables']]) {
    log.info({ command: `apt-get ${args.join(' ')}` }, 'installing the Docker engine');
    const result = await runHostCommand('apt-get', args, { env, timeoutMs: 15 * 60_000 });
    if (result.exitCode !== 0) {
      throw new InfrastructureError('ENGINE_INSTALL_FAILED', `apt-get ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.tail}`, {
        context: { exitCode: result.exitCode },
      });
    }
  }
}

/** Start dockerd detached (unless one is already starting) and wait until it answers. */
async function startDockerd(docker: Docker, log: Logger, timeoutMs: number): Promise<void> {
  let exited: number | null | undefined;
  if (!isPidFileAlive('/var/run/docker.pid')) {
    const fd = openSync(DOCKERD_LOG, 'a');
    const child = spawn(findProgram('dockerd') ?? 'dockerd', [], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('exit', (code) => { exited = code; });
    child.on('error', () => { exited = -1; });
    child.unref();
    log.info({ pid: child.pid, log: DOCKERD_LOG }, 'started dockerd');
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && exited === undefined) {
    if (await pingEngine(docker, 1_000)) return;
    await sleep(250);
  }
  const reason = exited === undefined ? `did not answer within ${Math.round(timeoutMs / 1000)} s` : `exited with code ${exited}`;
  throw new InfrastructureError('ENGINE_START_FAILED', `dockerd ${reason}. Last lines of ${DOCKERD_LOG}:\n${readLogTail(DOCKERD_LOG)}`);
}

