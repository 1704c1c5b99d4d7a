import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { findProgram, isRoot, runHostCommand } from '../../core/host-command.js';
import { sleep } from '../../core/sleep.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { LABEL_RUN, ownerLabels } from '../../sandbox/labels.js';
import { endGvisorLeftovers } from '../isolation/gvisor-leftovers.js';
import { listRuntimes, type EngineRuntime } from '../isolation/runtimes.js';

export const DAEMON_JSON = process.env.FORAGER_DAEMON_JSON ?? '/etc/docker/daemon.json';
const DOCKERD_PID = '/var/run/docker.pid';

/**
 * The gVisor runtimes forager registers, with the arguments they need on these machines:
 * `--network=none` (gVisor refuses to share the host's network namespace here), and a
 * second whose root file system is an overlay in the sandbox's memory (writes count against
 * the memory limit and never reach the host's disk).
 */
export const GVISOR_RUNTIMES: Record<string, string[]> = {
  runsc: ['--network=none'],
  'runsc-memory': ['--network=none', '--overlay2=root:memory'],
};

export interface RuntimeStatus {
  runtime: EngineRuntime;
  /** `found`: registered already; `registered`: written to daemon.json and reloaded; `installed`: the package too. */
  action: 'found' | 'registered' | 'installed';
  /** How long starting and removing a sandbox under it took. */
  startMs: number;
}

/**
 * `forager setup --runtime NAME`: make the engine run sandboxes under NAME. gVisor
 * (`runsc`, `runsc-memory`) is installed from Debian's package and registered in the
 * engine's daemon.json, which dockerd reloads on SIGHUP without touching running
 * containers; any runtime is then checked by starting a sandbox under it.
 */
export async function ensureRuntime(docker: Docker, name: string, options: { install: boolean; image: string; log?: Logger }): Promise<RuntimeStatus> {
  const log = options.log ?? silentLogger;
  let action: RuntimeStatus['action'] = 'found';
  let runtime = (await listRuntimes(docker)).runtimes.find((r) => r.name === name);
  if (!runtime) {
    const args = GVISOR_RUNTIMES[name];
    if (!args) throw new InfrastructureError('RUNTIME_UNAVAILABLE', `the engine has no runtime ${JSON.stringify(name)} and forager only installs gVisor (${Object.keys(GVISOR_RUNTIMES).join(', ')}): register it in ${DAEMON_JSON} yourself`);
    if (!options.install) throw new InfrastructureError('RUNTIME_UNAVAILABLE', `the engine has no runtime ${name} (--no-install: nothing installed or registered)`);
    if (!isRoot()) throw new InfrastructureError('RUNTIME_UNAVAILABLE', `registering ${name} writes ${DAEMON_JSON} and signals dockerd: run \`sudo forager setup --runtime ${name}\``);
    let path = findProgram('runsc');
    if (!path) {
      await installRunsc(log);
      action = 'installed';
      path = findProgram('runsc');
      if (!path) throw new InfrastructureError('RUNTIME_INSTALL_FAILED', 'apt-get installed runsc but no runsc is on PATH');
    } else action = 'registered';
    await registerRuntimes(path);
    await reloadDockerd();
    runtime = await waitForRuntime(docker, name);
  }
  const startMs = await checkRuntimeStarts(docker, runtime, options.image);
  return { runtime, action, startMs };
}

async function installRunsc(log: Logger): Promise<void> {
  if (!findProgram('apt-get')) throw new InfrastructureError('RUNTIME_INSTALL_FAILED', 'runsc is missing and apt-get is not there to install it: install gVisor (https://gvisor.dev/docs/user_guide/install/)');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'runsc']]) {
    log.info({ command: `apt-get ${args.join(' ')}` }, 'installing gVisor');
    const result = await runHostCommand('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 15 * 60_000 });
    if (result.exitCode !== 0) throw new InfrastructureError('RUNTIME_INSTALL_FAILED', `apt-get ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.tail}`);
  }
}

/** Add forager's gVisor runtimes to daemon.json, keeping everything else in it; a file that is not JSON is left alone. */
export async function registerRuntimes(runscPath: string, file = DAEMON_JSON): Promise<void> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => { if (error.code === 'ENOENT') return '{}'; throw error; });
  let config: { runtimes?: Record<string, unknown> } & Record<string, unknown>;
  try {
    config = JSON.parse(text.trim() || '{}') as typeof config;
  } catch (error) {
    throw new InfrastructureError('RUNTIME_UNAVAILABLE', `${file} is not valid JSON (${(error as Error).message}): fix it, then run setup again`, { cause: error });
  }
  config.runtimes = { ...config.runtimes };
  for (const [name, runtimeArgs] of Object.entries(GVISOR_RUNTIMES)) config.runtimes[name] = { path: runscPath, runtimeArgs };
  await mkdir(file.replace(/\/[^/]+$/, ''), { recursive: true });
  // Written whole then renamed: a reload never reads half a file.
  await writeFile(`${file}.forager-tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${file}.forager-tmp`, file);
}

/** Ask dockerd to reload daemon.json (SIGHUP: runtimes are reloaded; running containers are not touched). */
async function reloadDockerd(): Promise<void> {
  const pid = Number((await readFile(DOCKERD_PID, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new InfrastructureError('RUNTIME_UNAVAILABLE', `registered the runtimes in ${DAEMON_JSON}, but found no dockerd pid in ${DOCKERD_PID} to reload it: reload or restart the engine yourself (systemctl reload docker)`);
  }
  process.kill(pid, 'SIGHUP');
}

async function waitForRuntime(docker: Docker, name: string): Promise<EngineRuntime> {
  for (let i = 0; i < 40; i += 1) {
    const found = (await listRuntimes(docker)).runtimes.find((r) => r.name === name);
    if (found) return found;
    await sleep(250);
  }
  throw new InfrastructureError('RUNTIME_UNAVAILABLE', `dockerd did not pick up runtime ${name} from ${DAEMON_JSON} after a reload (was it started with --config-file elsewhere, or with flags that conflict with the file? its log says why)`);
}

/**
 * Start and remove a sandbox under the runtime, as forager starts them (no network, the
 * dead-man's `sleep`), and say why when it does not start. What a failed gVisor start
 * leaves is ended. Returns how long it took.
 */
export async function checkRuntimeStarts(docker: Docker, runtime: EngineRuntime, image: string): Promise<number> {
  const started = performance.now();
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['sleep'],
    Cmd: ['30'],
    Labels: { [LABEL_RUN]: 'setup-runtime-check', ...ownerLabels() },
    HostConfig: { Runtime: runtime.name, NetworkMode: 'none', Init: true, AutoRemove: true },
  });
  try {
    await withTimeout(container.start(), 60_000, 'did not start within 60 s (gVisor\'s kvm platform hangs on nested virtualisation: use the ptrace platform)');
    const exec = await container.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
    await withTimeout(exec.start({}).then((s) => new Promise((r) => { s.on('end', r); s.on('close', r); s.resume(); })), 30_000, 'started, but a process in it did not run within 30 s');
    const info = await exec.inspect();
    if (info.ExitCode !== 0) throw new Error(`started, but \`true\` in it exited with ${info.ExitCode}`);
    return performance.now() - started;
  } catch (error) {
    const message = String((error as { json?: { message?: string } }).json?.message ?? (error as Error).message).trim();
    const hint = /network enabled in root network namespace/.test(message) ? ' (register it with runtimeArgs ["--network=none"])' : '';
    throw new InfrastructureError('RUNTIME_START_FAILED', `runtime ${runtime.name} cannot start a sandbox here: ${message}${hint}`, { context: { runtime: runtime.name }, cause: error });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    if (runtime.gvisor) await endGvisorLeftovers(container.id).catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]).finally(() => clearTimeout(timer));
}
