import type Docker from 'dockerode';
import { findProgram, isRoot } from '../../core/host-command.js';
import { LABEL_RUN, ownerLabels } from '../../sandbox/labels.js';
import { probeStorageQuota } from '../isolation/storage-quota.js';

/**
 * One line for `forager setup` and `forager status`: what bounds a sandbox's disk on this
 * engine, by default and with each `disk_mount`.
 */
export async function describeDiskBounds(docker: Docker, image: string): Promise<string> {
  const quota = await probeStorageQuota(docker, image, { [LABEL_RUN]: 'setup-quota-probe', ...ownerLabels() });
  const local = Boolean((docker.modem as { socketPath?: unknown }).socketPath);
  const loop = local && isRoot() && findProgram('mkfs.ext4') !== null;
  const layer = quota.supported
    ? 'bounded by the kernel (--storage-opt size, applied automatically)'
    : `bounded by the poll (the engine refuses --storage-opt size: ${quota.reason.split('\n')[0]})`;
  return `the writable layer is ${layer}; workdir and /tmp bounded by the kernel with --disk-mount tmpfs (counts against memory)${loop ? ' or loop (ext4 file, ENOSPC at disk_mb)' : ' (loop: needs root, a local engine and mkfs.ext4)'}`;
}
