import type Docker from 'dockerode';
import { InfrastructureError, TaskError } from '../../core/errors.js';
import type { BackendSpec } from '../../sandbox/backend.js';
import { processStartTime } from '../../sandbox/labels.js';
import type { Isolation } from '../../trajectory/schema.js';
import { fillWorkdir, prepareDiskMounts, type DiskMounts } from './disk-mounts.js';
import { resolveRuntime, runtimeDropsNetwork, type EngineRuntime } from './runtimes.js';
import { probeStorageQuota } from './storage-quota.js';

/** What a container's isolation adds to its creation, and what to do around its start. */
export interface IsolationPlan {
  hostConfig: Docker.HostConfig;
  gvisor: boolean;
  /** Paths whose writes are not in the container's writable layer. */
  unobserved: string[];
  facts: Omit<Isolation, 'state_reader'>;
  /** The agent's process limit, below the sandbox's so forager's own processes can start (gVisor). */
  agentProcessLimit?: number;
  /** Before start: copy the image's workdir into its size-limited mount. */
  fill(container: Docker.Container): Promise<void>;
  /** After start: let go of what only the start needed. */
  started(): Promise<void>;
  /** On any failure or removal: undo what was made outside the engine. */
  release(): Promise<void>;
}

/**
 * Host tasks a gVisor sandbox may hold per process it runs (its kernel's threads and, on
 * the ptrace platform, a stub per address space): ~8 per process at rest here, ~15 under a
 * fork bomb, and they are slow to go. The host's PID limit is only a backstop under
 * gVisor: past it the sandbox's kernel cannot make a thread and dies. The sandbox's own
 * limit is RLIMIT_NPROC, which gVisor enforces (for root too).
 */
const GVISOR_HOST_TASKS_PER_PROCESS = 24;
const GVISOR_HOST_TASKS_BASE = 256;
/**
 * Processes kept for forager under gVisor: the agent's session holds RLIMIT_NPROC this much
 * below the sandbox's, because at the sandbox's limit gVisor refuses even a new exec
 * ("try again") and the kill script could not start. (Under runc the host's cgroup limit
 * applies and the engine can lend PIDs instead.)
 */
const GVISOR_PROCESS_RESERVE = 16;

/** Overlay flags that keep a gVisor sandbox's writes in its memory instead of the host's layer. */
const MEMORY_OVERLAY = /^--?(overlay|overlay2=(root|all):memory)$/;

/**
 * Plan the isolation `spec.limits` asks for: the runtime (read from the engine), the
 * kernel's disk bounds where the engine has them (`--storage-opt size`, detected by asking
 * the engine) and the size-limited mounts the limits choose.
 */
export async function planIsolation(docker: Docker, spec: BackendSpec, onThisHost: boolean): Promise<IsolationPlan> {
  const { limits } = spec;
  const runtime = await resolveRuntime(docker, limits.runtime);
  if (runtime.gvisor && limits.network !== 'none' && runtimeDropsNetwork(runtime)) {
    throw new TaskError('RUNTIME_NO_NETWORK', `runtime ${runtime.name} is registered with --network=none (gVisor cannot share this host's network namespace here), so network: ${limits.network} cannot be honoured: use network: none, or runc`, { context: { runtime: runtime.name } });
  }
  if (limits.disk_mount === 'loop' && !onThisHost) {
    throw new InfrastructureError('DISK_MOUNT_UNAVAILABLE', 'disk_mount: loop makes the disk on the engine\'s host, and this engine is remote: use disk_mount: tmpfs');
  }
  if (limits.disk_mount && runtime.gvisor) {
    // Measured with runsc 20221219: in a volume the engine mounts for the sandbox, files can
    // be written but the mount's own root answers lstat with EINVAL (`ls /work` fails).
    throw new InfrastructureError('DISK_MOUNT_UNAVAILABLE', `disk_mount: ${limits.disk_mount} under ${runtime.name}: gVisor here cannot serve the engine's volume mounts (lstat of the mount's root gives EINVAL); use runtime runsc-memory (every write bounded by the memory limit) or runc with disk_mount`, { context: { runtime: runtime.name } });
  }
  const memoryOverlay = runtime.gvisor && runtime.args.some((a) => MEMORY_OVERLAY.test(a));
  const quota = limits.disk_mb && !memoryOverlay ? await probeStorageQuota(docker, spec.image, spec.labels) : undefined;
  const disk = await prepareDiskMounts(limits, spec.workdir, { pid: process.pid, start: processStartTime(process.pid) });
  const hostConfig: Docker.HostConfig = {};
  if (limits.runtime) hostConfig.Runtime = runtime.name;
  if (runtime.gvisor) {
    hostConfig.PidsLimit = GVISOR_HOST_TASKS_BASE + GVISOR_HOST_TASKS_PER_PROCESS * limits.pids;
    hostConfig.Ulimits = [{ Name: 'nproc', Soft: limits.pids, Hard: limits.pids }];
  }
  if (quota?.supported) hostConfig.StorageOpt = { size: `${limits.disk_mb}M` };
  if (disk) hostConfig.Mounts = disk.mounts;
  const unobserved = memoryOverlay ? ['/'] : [...new Set([...(disk?.paths ?? []), ...(runtime.gvisor ? ['/tmp'] : [])])];
  return {
    hostConfig,
    gvisor: runtime.gvisor,
    unobserved,
    facts: describe(runtime, quota?.supported === true, memoryOverlay, disk),
    agentProcessLimit: runtime.gvisor ? Math.max(4, limits.pids - Math.min(GVISOR_PROCESS_RESERVE, Math.floor(limits.pids / 4))) : undefined,
    fill: async (container) => { if (disk) await fillWorkdir(docker, container, spec.image, spec.workdir, spec.labels); },
    started: async () => { await disk?.started(); },
    release: async () => { await disk?.release(); },
  };
}

function describe(runtime: EngineRuntime, quota: boolean, memoryOverlay: boolean, disk: DiskMounts | undefined): Omit<Isolation, 'state_reader'> {
  const bounds = [...(quota ? ['storage-opt'] : []), ...(memoryOverlay ? ['memory:/'] : []), ...(disk?.bounds ?? [])];
  const whole = quota || memoryOverlay;
  if (!whole) bounds.push('poll');
  return { runtime: runtime.name, kernel: runtime.gvisor ? 'gvisor' : 'host', disk: whole ? 'kernel' : disk ? 'mounts+poll' : 'poll', disk_bounds: bounds };
}
