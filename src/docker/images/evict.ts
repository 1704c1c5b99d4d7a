import type Docker from 'dockerode';
import { silentLogger, type Logger } from '../../core/log.js';
import { engine } from '../engine.js';
import { flavourOf } from '../flavour.js';
import { BASE_IMAGE } from '../setup/base-image.js';
import { builtImageIds, builtImagesPath, forgetBuiltImages } from './built-images.js';
import { planEviction, type CachedImage } from './eviction-plan.js';
import { readImageUse } from './image-use.js';

export interface EvictOptions {
  budgetBytes: number;
  docker?: Docker;
  log?: Logger;
  /** Choose, remove nothing. */
  dryRun?: boolean;
  useFile?: string;
  /** forager's record of the images it built (default ~/.cache/forager/built-images.json). */
  builtFile?: string;
}

/**
 * Keep the images forager built (its own record of their IDs, not the inherited
 * `forager.image` label) within a disk budget by removing the least recently used;
 * never the base image, never one a container is using, never an image it did not build.
 */
export async function evictImages(options: EvictOptions): Promise<CachedImage[]> {
  const docker = options.docker ?? engine();
  const log = options.log ?? silentLogger;
  const builtFile = options.builtFile ?? builtImagesPath();
  const [images, containers, use, built] = await Promise.all([
    docker.listImages(),
    docker.listContainers({ all: true }),
    readImageUse(options.useFile),
    builtImageIds(docker, builtFile),
  ]);
  const protectedIds = new Set(containers.map((c) => c.ImageID));
  // Tags as forager wrote them, which use records and the base image's name are keyed by
  // (Podman answers `localhost/forager-base:bookworm` for `forager-base:bookworm`).
  const refsOf = (image: Docker.ImageInfo): string[] => (image.RepoTags ?? []).filter((ref) => ref !== '<none>:<none>').map(flavourOf(docker).familiarTag);
  const cached: CachedImage[] = images.filter((image) => built.has(image.Id)).map((image) => {
    const refs = refsOf(image);
    const used = refs.map((ref) => Date.parse(use[ref] ?? '')).filter(Number.isFinite);
    return { id: image.Id, refs, sizeBytes: image.Size, lastUsedMs: used.length ? Math.max(...used) : image.Created * 1000 };
  });
  for (const image of images) if (refsOf(image).includes(BASE_IMAGE)) protectedIds.add(image.Id);
  const victims = planEviction(cached, options.budgetBytes, protectedIds);
  const removed: string[] = [];
  for (const victim of options.dryRun ? [] : victims) {
    try {
      // Untag each ref (never forced): an image a container started meanwhile stays (409).
      for (const ref of victim.refs.length ? victim.refs : [victim.id]) await docker.getImage(ref).remove();
      removed.push(victim.id);
      log.info({ image: victim.refs[0] ?? victim.id, sizeBytes: victim.sizeBytes }, 'evicted image');
    } catch (error) {
      log.warn({ err: error, image: victim.id }, 'could not evict image');
    }
  }
  if (removed.length) await forgetBuiltImages(docker, removed, builtFile).catch((error: unknown) => log.warn({ err: error }, 'could not update the record of built images'));
  return victims;
}
