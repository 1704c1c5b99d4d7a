import type Docker from 'dockerode';

/** Whether the engine's storage enforces `--storage-opt size=` (overlay2 on XFS with pquota, btrfs, zfs…). */
export type StorageQuota = { supported: true } | { supported: false; reason: string };

const probes = new WeakMap<Docker, Promise<StorageQuota>>();

/**
 * Ask the engine, once per engine: create (never start) a container from `image` with a
 * size limit and see whether it is refused. The engine knows its backing file system's
 * quota support; forager does not guess it from the driver's name.
 */
export function probeStorageQuota(docker: Docker, image: string, labels: Record<string, string>): Promise<StorageQuota> {
  let probe = probes.get(docker);
  if (!probe) {
    probe = askEngine(docker, image, labels);
    probes.set(docker, probe);
    // A probe that failed for another reason (image missing) is asked again next time.
    probe.then((r) => { if (!r.supported && r.reason.startsWith('probe failed')) probes.delete(docker); }, () => probes.delete(docker));
  }
  return probe;
}

async function askEngine(docker: Docker, image: string, labels: Record<string, string>): Promise<StorageQuota> {
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ['true'],
      // The sandbox's own labels: a probe a killed harvester left is reaped like its sandbox.
      Labels: labels,
      HostConfig: { StorageOpt: { size: '1G' }, NetworkMode: 'none' },
    });
    return { supported: true };
  } catch (error) {
    const message = String((error as { json?: { message?: string } }).json?.message ?? (error as Error).message);
    if (/storage.?opt|quota|pquota|xfs/i.test(message)) return { supported: false, reason: message.trim() };
    return { supported: false, reason: `probe failed: ${message.trim()}` };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
