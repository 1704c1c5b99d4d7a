import type Docker from 'dockerode';
import { findProgram, isRoot } from '../../core/host-command.js';
import { hostPython } from '../../sandbox/index.js';
import { LABEL_RUN, ownerLabels } from '../../sandbox/labels.js';
import { readableLayer } from '../container.js';
import { flavourOf } from '../flavour.js';
import { probeStorageQuota } from '../isolation/storage-quota.js';

/** What setup found about a sandbox's disk on this engine. */
export interface DiskBoundsReport {
  /** One line for `forager setup`: what bounds a sandbox's disk by default and why, and what `--disk-mount` adds. */
  line: string;
  /** Whether the host's watcher can read a sandbox's writable layer (the state reader and the disk watch), and if not why. */
  watcher: { ok: true } | { ok: false; why: string };
}

/**
 * Ask the engine, never guess: whether it enforces `--storage-opt size` (a created, never
 * started container with a size), and whether a sandbox's writable layer is readable from
 * here (a created container's GraphDriver data, checked on this host's file system), which
 * decides the poll: the host's watcher, or the engine's count of the layer's size.
 */
export async function describeDiskBounds(docker: Docker, image: string, options: { hostLayer?: boolean } = {}): Promise<DiskBoundsReport> {
  const labels = { [LABEL_RUN]: 'setup-disk-probe', ...ownerLabels() };
  const quota = await probeStorageQuota(docker, image, labels);
  const local = Boolean((docker.modem as { socketPath?: unknown }).socketPath);
  const watcher = await probeWatcher(docker, image, labels, local, options.hostLayer ?? flavourOf(docker).hostLayer);
  const loop = local && isRoot() && findProgram('mkfs.ext4') !== null;
  const poll = watcher.ok
    ? 'the host\'s watcher (inotify over the writable layer) stops a step as the layer passes disk_mb'
    : `the engine's count of the layer's size (asked again and again while a step runs, as ${watcher.why}) stops a step past disk_mb`;
  const layer = quota.supported
    ? 'by default by the kernel: --storage-opt size=disk_mb on every sandbox (the engine\'s storage enforces it: ENOSPC)'
    : `by default by the poll, with the overshoot recorded on the step: the engine refuses --storage-opt size (${refusal(quota.reason)}), so ${poll}`;
  const mounts = `; workdir and /tmp by the kernel with --disk-mount tmpfs (counts against memory)${loop ? ' or loop (ext4 file, ENOSPC at disk_mb)' : ' (loop: needs root, a local engine and mkfs.ext4)'}`;
  return { line: `a sandbox's disk is bounded ${layer}${mounts}`, watcher };
}

async function probeWatcher(docker: Docker, image: string, labels: Record<string, string>, local: boolean, hostLayer: boolean): Promise<DiskBoundsReport['watcher']> {
  if (!local) return { ok: false, why: 'the engine is remote, its layers are not on this host' };
  if (!hostLayer) return { ok: false, why: 'this engine\'s layers are not readable by forager here (rootless)' };
  const python = hostPython();
  if (!python) return { ok: false, why: 'the host has no python3 (3.8 or newer) for the watcher' };
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({ Image: image, Entrypoint: ['true'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    const driver = (await container.inspect()).GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined;
    const overlay = flavourOf(docker).overlayDriver;
    if (readableLayer(driver, overlay)) return { ok: true };
    return { ok: false, why: driver?.Name !== overlay ? `the storage driver is ${driver?.Name ?? 'unknown'}, not ${overlay}` : 'the layer\'s directories are not readable by this user' };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}

/** The engine's refusal from where it names the option (Podman prefixes the layer it was making). */
function refusal(reason: string): string {
  const first = reason.split('\n')[0]!;
  const at = first.search(/--storage-opt/i);
  return at > 0 ? first.slice(at) : first;
}
