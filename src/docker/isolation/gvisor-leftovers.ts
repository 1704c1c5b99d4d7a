import { readdir, readFile } from 'node:fs/promises';

/** A host process of a gVisor sandbox (runsc sandbox, gofer, or the shim that ran them), by its container id. */
export interface GvisorProcess {
  pid: number;
  containerId: string;
  program: string;
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
    if (program.startsWith('containerd-shim') && !(argv.includes('-id') && (await runsGvisor(entry)))) continue;
    if (id) out.push({ pid: Number(entry), containerId: id, program });
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

/** gVisor processes serving containers the engine no longer has (`known`: the ids it lists); ended unless `dryRun`. */
export async function reapGvisorOrphans(known: Set<string>, dryRun = false): Promise<GvisorProcess[]> {
  const orphans = (await listGvisorProcesses()).filter((p) => !known.has(p.containerId));
  if (!dryRun) for (const p of orphans) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  return orphans;
}
