import type Docker from 'dockerode';
import { silentLogger, type Logger } from '../../core/log.js';
import { hashBuildInput, packContext, type ContextEntry } from './build-context.js';
import type { ResolvedImage } from './build.js';
import { keepBuildLog } from './build-logs.js';
import { buildFromContext } from './docker-build.js';
import { inspectImage } from './engine-images.js';
import { ImageBuildError } from './errors.js';
import { withFileLock } from './file-lock.js';
import { LABEL_HASH, LABEL_IMAGE } from './labels.js';

/** One layer of a task image: a Dockerfile built FROM its parent, tagged by content hash. */
export interface LayerRequest {
  kind: 'environment' | 'task';
  parent: { ref: string; id: string };
  /** Uses `ARG BASE_IMAGE` + `FROM ${BASE_IMAGE}`; the parent's ID is passed in. */
  dockerfile: Buffer;
  /** Context entries the tag's hash covers (with the Dockerfile and the parent's ID). */
  hashEntries: ContextEntry[];
  /** The build context, made only when the layer has to be built. */
  context: () => Promise<{ entries: ContextEntry[]; dispose?: () => Promise<void> }>;
  repository: string;
  /** For messages: what the layer is built from. */
  source: string;
  docker: Docker;
  log?: Logger;
  signal?: AbortSignal;
}

/** The layer's image: reused when its tag exists, else built once (file-locked across processes). */
export async function ensureLayer(request: LayerRequest): Promise<ResolvedImage> {
  const hash = hashBuildInput({ dockerfile: request.dockerfile, entries: request.hashEntries, baseImageId: `${request.kind}:${request.parent.id}` });
  const ref = `${request.repository}:${request.kind === 'task' ? 'task-' : 'env-'}${hash.slice(0, 16)}`;
  const found = async (): Promise<ResolvedImage | null> => {
    const image = await inspectImage(request.docker, ref);
    return image ? { ref, id: image.Id, digest: null, built: false } : null;
  };
  return (await found()) ?? withFileLock(`build-${ref}`, async () => (await found()) ?? buildLayer(request, ref, hash), { signal: request.signal });
}

async function buildLayer(request: LayerRequest, ref: string, hash: string): Promise<ResolvedImage> {
  const log = request.log ?? silentLogger;
  const { entries, dispose } = await request.context();
  try {
    log.info({ ref, kind: request.kind, source: request.source }, 'building layer');
    const result = await buildFromContext(request.docker, packContext(entries, { path: '.forager.Dockerfile', content: request.dockerfile }), {
      tag: ref,
      dockerfile: '.forager.Dockerfile',
      buildargs: { BASE_IMAGE: request.parent.id },
      labels: { [LABEL_IMAGE]: '1', [LABEL_HASH]: hash, 'forager.layer': request.kind },
      // A repository layer only copies and scrubs: it needs no network (environments may fetch packages).
      networkmode: request.kind === 'task' ? 'none' : undefined,
      signal: request.signal,
      log,
    });
    const kept = await keepBuildLog(ref, result.log, !result.id);
    if (!result.id) throw new ImageBuildError(ref, `${request.source}${kept ? ` (build log: ${kept})` : ''}`, result.error ?? 'unknown error', result.log);
    log.info({ ref, id: result.id, durationMs: result.durationMs }, 'built layer');
    return { ref, id: result.id, digest: null, built: true, buildLog: result.log };
  } finally {
    await dispose?.();
  }
}
