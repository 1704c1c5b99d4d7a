import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { EnforcedLimit } from '../sandbox/backend.js';

/**
 * Engine facts that differ between engines speaking the same Engine API (Docker, Podman).
 * The Engine-API code of this folder asks the flavour where engines differ instead of
 * being copied per engine; a client carries its flavour (`withFlavour`), so code handed
 * only the client (builds, eviction, the base image) still knows which engine it talks to.
 */
export interface EngineFlavour {
  /** The storage driver name whose GraphDriver data holds an overlay upper directory. */
  overlayDriver: string;
  /** Where the host keeps a container's PID files (pids.current, pids.events), by container id. */
  cgroupDirs(id: string): string[];
  /** Change a live container's PID limit (to lend PIDs to a kill script), or null when the engine cannot. */
  setPidsLimit: ((docker: Docker, id: string, limit: number) => Promise<void>) | null;
  /**
   * The name a tag is compared by, as forager wrote it: Docker returns tags as they were
   * given; Podman adds the registry it resolved a short name to (`localhost/x`, `docker.io/library/x`).
   */
  familiarTag(tag: string): string;
  /**
   * Import a root file system tar as image `ref`, resolving to the error the engine
   * reported (or null); absent: the Engine API's `POST /images/create?fromSrc=-`.
   */
  importTar?(docker: Docker, tar: Readable, ref: string, options: { changes: string[]; signal?: AbortSignal }): Promise<string | null>;
  /** A name of the engine that survives its restarts, for forager's record of built images; absent: `docker info` ID. */
  engineId?(docker: Docker): Promise<string>;
  /** Whether this host may read a container's writable layer (false: the exec state reader, whatever the driver). */
  hostLayer: boolean;
  /** Limits the engine accepts but does not enforce here (rootless Podman on cgroup v1): none on Docker. */
  unenforcedLimits: EnforcedLimit[];
  /**
   * Remove a container, running or not, without waiting for its stop signal to be obeyed;
   * absent: the Engine API's forced removal, which Docker does with SIGKILL at once.
   */
  removeForced?(docker: Docker, id: string): Promise<void>;
}

export const DOCKER_FLAVOUR: EngineFlavour = {
  overlayDriver: 'overlay2',
  cgroupDirs: (id) => [`/sys/fs/cgroup/pids/docker/${id}`, `/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`],
  setPidsLimit: async (docker, id, limit) => {
    await docker.getContainer(id).update({ PidsLimit: limit });
  },
  familiarTag: (tag) => tag,
  hostLayer: true,
  unenforcedLimits: [],
};

/**
 * Remove a container forcibly, as the flavour does it; one that is gone already (404) or
 * being removed by the engine's auto-remove (409) is not an error.
 */
export async function removeContainer(docker: Docker, id: string, flavour: EngineFlavour = flavourOf(docker)): Promise<void> {
  const removal = flavour.removeForced ? flavour.removeForced(docker, id) : docker.getContainer(id).remove({ force: true });
  await removal.catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
  });
}

type FlavouredClient = Docker & { forager_flavour?: EngineFlavour };

/** The flavour a client was made for (Docker's unless `withFlavour` said otherwise). */
export function flavourOf(docker: Docker): EngineFlavour {
  return (docker as FlavouredClient).forager_flavour ?? DOCKER_FLAVOUR;
}

/** Mark a client as talking to an engine of `flavour`; returns the same client. */
export function withFlavour(docker: Docker, flavour: EngineFlavour): Docker {
  (docker as FlavouredClient).forager_flavour = flavour;
  return docker;
}
