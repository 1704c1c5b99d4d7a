import type Docker from 'dockerode';
import type { EnforcedLimit } from '../sandbox/backend.js';
import { libpod } from './libpod.js';

/** What a Podman service says of its host, as far as sandbox limits and storage go. */
export interface PodmanHostFacts {
  rootless: boolean;
  cgroupVersion: 'v1' | 'v2';
  /** The cgroup controllers this service may use (rootless on v2: those delegated to the user). */
  controllers: string[];
  graphDriver: string;
  graphRoot: string;
}

interface LibpodInfo {
  host?: { cgroupVersion?: string; cgroupControllers?: string[] | null; security?: { rootless?: boolean } };
  store?: { graphDriverName?: string; graphRoot?: string };
}

/** Ask the service (`GET /libpod/info`). */
export async function readHostFacts(docker: Docker): Promise<PodmanHostFacts> {
  const info = await libpod<LibpodInfo>(docker, { method: 'GET', path: '/info' });
  return {
    rootless: info.host?.security?.rootless === true,
    cgroupVersion: info.host?.cgroupVersion === 'v2' ? 'v2' : 'v1',
    controllers: info.host?.cgroupControllers ?? [],
    graphDriver: info.store?.graphDriverName ?? '',
    graphRoot: info.store?.graphRoot ?? '',
  };
}

/** The cgroup controller that enforces each limit. */
const CONTROLLER: Record<EnforcedLimit, string> = { memory_mb: 'memory', cpus: 'cpu', pids: 'pids' };

/**
 * The limits a sandbox would run without on this host. Rootless Podman on cgroup v1 gets
 * no cgroup at all (it accepts --memory and --pids-limit and ignores them); on v2 it gets
 * the controllers delegated to the user, and a limit whose controller is missing is ignored.
 */
export function unenforcedLimits(facts: Pick<PodmanHostFacts, 'rootless' | 'cgroupVersion' | 'controllers'>): EnforcedLimit[] {
  const all = Object.keys(CONTROLLER) as EnforcedLimit[];
  if (facts.rootless && facts.cgroupVersion === 'v1') return all;
  return all.filter((limit) => !facts.controllers.includes(CONTROLLER[limit]));
}
