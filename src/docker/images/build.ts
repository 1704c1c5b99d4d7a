import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { TaskError } from '../../core/errors.js';
import { engine } from '../engine.js';
import type { ImageSpec } from '../../task/spec.js';
import { ensureBaseImage } from '../setup/base-image.js';
import { collectContext, hashBuildInput, packContext } from './build-context.js';
import { buildFromContext } from './docker-build.js';
import { describeEndpoint } from './endpoint.js';
import { inspectImage } from './engine-images.js';
import { ImageBuildError } from './errors.js';
import { withFileLock } from './file-lock.js';
import { dockerfileInContext, locateBuildSource, type BuildSource } from './image-source.js';
import { LABEL_HASH, LABEL_IMAGE, LABEL_RECIPE } from './labels.js';
import { silentLogger, type Logger } from '../../core/log.js';

/** Repository of the environment images forager builds; the tag is the content hash. */
export const ENV_REPOSITORY = 'forager-env';

export interface ResolvedImage {
  ref: string;
  /** The image ID (sha256:…): what trajectories pin. */
  id: string;
  /** The registry digest (RepoDigests[0]), or null for a local image. */
  digest: string | null;
  /** Whether this call built it (false or absent: it was already there). */
  built?: boolean;
  /** The build's output, when this call built it. */
  buildLog?: string;
}

export interface ResolveImageOptions {
  /** The task file's folder: Dockerfile and context paths are relative to it. */
  taskDir?: string;
  log?: Logger;
  signal?: AbortSignal;
  docker?: Docker;
  /** Repository to tag built images into (default forager-env). */
  repository?: string;
  /** Folder of recipes (default the package's images/). */
  recipesDir?: string;
}

const inFlight = new Map<string, Promise<ResolvedImage>>();

/**
 * The image a task runs in: an existing `{ ref }`, or a recipe / Dockerfile built on the
 * base image and tagged by the hash of everything it is built from, so it is built once.
 */
export async function resolveImage(spec: ImageSpec, options: ResolveImageOptions = {}): Promise<ResolvedImage> {
  const docker = options.docker ?? engine();
  const source = locateBuildSource(spec, options.taskDir, options.recipesDir);
  if (!source) return resolveExisting(docker, (spec as { ref: string }).ref);
  const base = await ensureBaseImage({ docker, log: options.log, signal: options.signal });
  // The base recipe is the base image itself, however it was made (registry or debootstrap).
  if (source.recipe === 'base') {
    const image = await inspectImage(docker, base.ref);
    return { ref: base.ref, id: base.id, digest: image?.RepoDigests?.[0] ?? null, built: false };
  }
  const dockerfile = await readFile(source.dockerfilePath);
  const entries = await collectContext(source.contextDir);
  const hash = hashBuildInput({ dockerfile, entries, baseImageId: base.id });
  const ref = `${options.repository ?? ENV_REPOSITORY}:${hash.slice(0, 16)}`;
  const cached = await inspectImage(docker, ref);
  if (cached) return { ref, id: cached.Id, digest: cached.RepoDigests?.[0] ?? null, built: false };

  const key = `${describeEndpoint(docker)}|${ref}`;
  const shared = inFlight.get(key);
  if (shared) return shared.then(({ ref: tag, id, digest }) => ({ ref: tag, id, digest, built: false }));
  const pending = withFileLock(`build-${ref}`, () => buildOnce(docker, source, { ref, hash, base: base.ref, dockerfile, entries, options }), { signal: options.signal })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, pending);
  return pending;
}

async function resolveExisting(docker: Docker, ref: string): Promise<ResolvedImage> {
  const image = await inspectImage(docker, ref);
  if (!image) {
    throw new TaskError('IMAGE_MISSING', `image.ref: the engine has no image ${ref}; pull or build it first (docker pull ${ref}), or name a recipe under images/ instead`, {
      context: { ref },
    });
  }
  return { ref, id: image.Id, digest: image.RepoDigests?.[0] ?? null, built: false };
}

interface BuildPlan {
  ref: string;
  hash: string;
  base: string;
  dockerfile: Buffer;
  entries: Awaited<ReturnType<typeof collectContext>>;
  options: ResolveImageOptions;
}

async function buildOnce(docker: Docker, source: BuildSource, plan: BuildPlan): Promise<ResolvedImage> {
  const log = plan.options.log ?? silentLogger;
  const existing = await inspectImage(docker, plan.ref); // another process may have built it while we waited
  if (existing) return { ref: plan.ref, id: existing.Id, digest: existing.RepoDigests?.[0] ?? null, built: false };
  const inside = dockerfileInContext(source);
  const dockerfilePath = inside ?? '.forager.Dockerfile';
  const context = packContext(plan.entries, inside ? undefined : { path: dockerfilePath, content: plan.dockerfile });
  log.info({ ref: plan.ref, source: source.label }, 'building image');
  const result = await buildFromContext(docker, context, {
    tag: plan.ref,
    dockerfile: dockerfilePath,
    buildargs: { BASE_IMAGE: plan.base },
    labels: { [LABEL_IMAGE]: '1', [LABEL_HASH]: plan.hash, ...(source.recipe ? { [LABEL_RECIPE]: source.recipe } : {}) },
    signal: plan.options.signal,
    log,
  });
  if (!result.id) throw new ImageBuildError(plan.ref, source.label, result.error ?? 'unknown error', result.log);
  log.info({ ref: plan.ref, id: result.id, durationMs: result.durationMs }, 'built image');
  const image = await inspectImage(docker, plan.ref);
  return { ref: plan.ref, id: result.id, digest: image?.RepoDigests?.[0] ?? null, built: true, buildLog: result.log };
}
