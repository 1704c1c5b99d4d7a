import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A host process of a gVisor sandbox (runsc sandbox, gofer, or the shim that ran them), by its container id. */
export interface GvisorProcess {
  pid: number;
  containerId: string;
  program: string;
  /** The container's OCI bundle directory, where the process names it (the shim's cwd, runsc's `--log` beside it). */
  bundle?: string;
}

const PROGRAMS = /^(runsc|runsc-sandbox|runsc-gofer|containerd-shim[\w-]*)$/;
const CONTAINER_ID = /[0-9a-f]{64}/;

/**
 * The host's runsc sandbox, gofer and shim processes with the container id each serves
 * (in its arguments: the bundle path, `-id`). Read from /proc; names compared as bytes.
 */
export async function listGvisorProcesses(): Promise<GvisorProcess[]> {
  const out: GvisorProcess[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`).then((b) => b.toString('latin1').split('\0'), () => undefined);
    const program = argv?.[0]?.split('/').pop() ?? '';
    if (!argv || !PROGRAMS.test(program)) continue;
    const id = argv.map((a) => CONTAINER_ID.exec(a)?.[0]).find(Boolean);
    const shim = program.startsWith('containerd-shim');
    if (shim && !(argv.includes('-id') && (await runsGvisor(entry)))) continue;
    if (!id) continue;
    const log = argv.find((a) => a.startsWith('--log='))?.slice('--log='.length);
    const bundle = shim ? await readlink(`/proc/${entry}/cwd`).catch(() => undefined) : log && log.endsWith('/log.json') ? dirname(log) : undefined;
    out.push({ pid: Number(entry), containerId: id, program, ...(bundle && bundle.endsWith(id) ? { bundle } : {}) });
  }
  return out;
}

/**
 * Whether a shim runs gVisor: its working directory is the container's bundle, whose
 * options.json names the runtime binary (Docker's wrapper script for a registered runtime).
 */
async function runsGvisor(pid: string): Promise<boolean> {
  try {
    const options = JSON.parse(await readFile(`/proc/${pid}/cwd/options.json`, 'utf8')) as { binary_name?: string };
    const binary = options.binary_name ?? '';
    if (/(^|\/)runsc$/.test(binary)) return true;
    const wrapper = await readFile(binary, 'latin1').catch(() => '');
    return wrapper.length < 4096 && /(^|[\s/"])runsc["\s]/.test(wrapper);
  } catch {
    return false;
  }
}

/**
 * End what a failed gVisor start left behind for `containerId` (sandbox, gofer, shim
 * processes Docker no longer lists): found by the id in their arguments, ended by pid with
 * SIGKILL. Returns the pids ended.
 */
export async function endGvisorLeftovers(containerId: string): Promise<number[]> {
  const ended: number[] = [];
  for (const p of await listGvisorProcesses()) {
    if (p.containerId !== containerId) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      ended.push(p.pid);
    } catch {
      // gone meanwhile
    }
  }
  return ended;
}

/**
 * The data root of the engine that made a container, from its OCI bundle: Docker binds
 * `<data-root>/containers/<id>/hostname` at /etc/hostname. Undefined where the bundle is
 * gone or says nothing of it.
 */
export async function engineRootOf(bundle: string | undefined): Promise<string | undefined> {
  if (!bundle) return undefined;
  try {
    const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { mounts?: { destination?: string; source?: string }[] };
    const source = config.mounts?.find((m) => m.destination === '/etc/hostname')?.source ?? '';
    return /^(\/.*)\/containers\/[0-9a-f]{64}\/hostname$/.exec(source)?.[1];
  } catch {
    return undefined;
  }
}

/** What the sweep found: the orphans of this engine (ended unless a dry run), and processes no engine could be told for. */
export interface GvisorSweep {
  orphans: GvisorProcess[];
  /** Not ended: their bundle is gone, so which engine's they are cannot be told (another engine on this host may own them). */
  unattributed: GvisorProcess[];
}

/**
 * gVisor processes serving containers of the engine whose data root is `engineRoot` that it
 * no longer has (`known`: the ids it lists); ended unless `dryRun`. Another engine's
 * sandboxes on this host (a private engine, a second daemon) are never touched: a process
 * counts as this engine's only when its bundle names this engine's data root.
 */
export async function reapGvisorOrphans(known: Set<string>, engineRoot: string, dryRun = false): Promise<GvisorSweep> {
  const sweep: GvisorSweep = { orphans: [], unattributed: [] };
  const unknown = (await listGvisorProcesses()).filter((p) => !known.has(p.containerId));
  // One container's processes share a bundle; the shim's names it even when runsc's does not.
  const roots = new Map<string, Promise<string | undefined>>();
  for (const p of unknown) if (p.bundle && !roots.has(p.containerId)) roots.set(p.containerId, engineRootOf(p.bundle));
  for (const p of unknown) {
    const root = await (roots.get(p.containerId) ?? Promise.resolve(undefined));
    if (root === undefined) sweep.unattributed.push(p);
    else if (root === engineRoot) sweep.orphans.push(p);
  }
  if (!dryRun) for (const p of sweep.orphans) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  return sweep;
}
