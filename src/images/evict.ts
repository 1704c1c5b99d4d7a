import type Docker from 'dockerode';
import { silentLogger, type Logger } from '../core/log.js';
import { engine } from '../sandbox/docker/engine.js';
import { BASE_IMAGE } from './base-image.js';
import { planEviction, type CachedImage } from './eviction-plan.js';
import { readImageUse } from './image-use.js';
import { LABEL_IMAGE } from './labels.js';

export interface EvictOptions {
  budgetBytes: number;
  docker?: Docker;
  log?: Logger;
  /** Choose, remove nothing. */
  dryRun?: boolean;
  useFile?: string;
}

/**
 * Keep forager-built images (label forager.image=1) within a disk budget by removing the
 * least recently used; never the base image, never one a container is using.
 */
export async function evictImages(options: EvictOptions): Promise<CachedImage[]> {
  const docker = options.docker ?? engine();
  const log = options.log ?? silentLogger;
  const [images, containers, use] = await Promise.all([
    docker.listImages({ filters: { label: [`${LABEL_IMAGE}=1`] } }),
    docker.listContainers({ all: true }),
    readImageUse(options.useFile),
  ]);
  const protectedIds = new Set(containers.map((c) => c.ImageID));
  const cached: CachedImage[] = images.map((image) => {
    const refs = image.RepoTags ?? [];
    if (refs.includes(BASE_IMAGE)) protectedIds.add(image.Id);
    const used = refs.map((ref) => Date.parse(use[ref] ?? '')).filter(Number.isFinite);
    return { id: image.Id, refs, sizeBytes: image.Size, lastUsedMs: used.length ? Math.max(...used) : image.Created * 1000 };
  });
  const victims = planEviction(cached, options.budgetBytes, protectedIds);
  for (const victim of options.dryRun ? [] : victims) {
    try {
      // Untag each ref (never forced): an image a container started meanwhile stays (409).
      for (const ref of victim.refs.length ? victim.refs : [victim.id]) await docker.getImage(ref).remove();
      log.info({ image: victim.refs[0] ?? victim.id, sizeBytes: victim.sizeBytes }, 'evicted image');
    } catch (error) {
      log.warn({ err: error, image: victim.id }, 'could not evict image');
    }
  }
  return victims;
}
