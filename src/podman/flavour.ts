import type Docker from 'dockerode';
import { DOCKER_FLAVOUR, type EngineFlavour } from '../docker/index.js';
import { libpod } from './libpod.js';

/** Registries Podman writes before a short name: `localhost/` for local builds and imports, Docker Hub's for the compatible API's builds. */
const ADDED_REGISTRIES = ['localhost/', 'docker.io/library/', 'docker.io/'];

/** A tag as forager wrote it: `localhost/forager-base:bookworm` → `forager-base:bookworm`. */
export function familiarTag(tag: string): string {
  const prefix = ADDED_REGISTRIES.find((p) => tag.startsWith(p));
  return prefix ? tag.slice(prefix.length) : tag;
}

/**
 * Where Podman puts a container's cgroup, by cgroup manager and version: cgroupfs and
 * systemd on v1 (pids controller) and v2, rootful, and a rootless user's systemd slice.
 */
export function podmanCgroupDirs(id: string, uid = process.getuid?.() ?? 0): string[] {
  return [
    `/sys/fs/cgroup/pids/libpod_parent/libpod-${id}`,
    `/sys/fs/cgroup/pids/machine.slice/libpod-${id}.scope`,
    `/sys/fs/cgroup/libpod_parent/libpod-${id}`,
    `/sys/fs/cgroup/machine.slice/libpod-${id}.scope`,
    `/sys/fs/cgroup/user.slice/user-${uid}.slice/user@${uid}.service/user.slice/libpod-${id}.scope`,
  ];
}

/**
 * Podman's answers where they differ from Docker's through the same API: storage driver
 * `overlay`, its own cgroup paths, no compatible `update` (its libpod endpoint changes the
 * PID limit instead), registries added to tags, the compatible import misnaming images
 * (`docker.io/library/NAME:latest`, tag dropped), and a service ID made anew at each start.
 */
export const PODMAN_FLAVOUR: EngineFlavour = {
  ...DOCKER_FLAVOUR,
  overlayDriver: 'overlay',
  cgroupDirs: (id) => podmanCgroupDirs(id),
  setPidsLimit: async (docker, id, limit) => {
    await libpod(docker, { method: 'POST', path: `/containers/${encodeURIComponent(id)}/update`, body: { pids: { limit } } });
  },
  familiarTag,
  importTar: async (docker, tar, ref, options) => {
    try {
      await libpod(docker, { method: 'POST', path: '/images/import', query: { reference: ref, changes: options.changes }, file: tar, signal: options.signal });
      return null;
    } catch (error) {
      const answer = error as { statusCode?: number; json?: { cause?: string; message?: string } };
      if (answer.statusCode === undefined) throw error;
      return answer.json?.message ?? answer.json?.cause ?? String(error);
    }
  },
  // The compatible forced removal sends the stop signal and waits StopTimeout (1 s) before
  // SIGKILL, and the dead-man ignores SIGTERM, so every sandbox's removal took a second:
  // libpod's removal is told to wait 0 s (`timeout`). The stop signal itself stays
  // SIGTERM: an engine shutting down must leave a kill event before the death (endFacts).
  removeForced: async (docker, id) => {
    await libpod(docker, { method: 'DELETE', path: `/containers/${encodeURIComponent(id)}`, query: { force: 'true', timeout: '0' } });
  },
  engineId: async (docker: Docker) => {
    const info = (await docker.info()) as { Name?: string; DockerRootDir?: string };
    return `podman:${info.Name ?? 'unknown'}:${info.DockerRootDir ?? 'unknown'}`;
  },
};
