// Placeholder until the images concern lands: existing images only.
import { TaskError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { engine } from '../sandbox/docker/engine.js';
import type { ImageSpec } from '../task/spec.js';

export interface ResolvedImage { ref: string; id: string; digest: string | null }

export async function resolveImage(spec: ImageSpec, _options: { taskDir: string; log?: Logger; signal?: AbortSignal }): Promise<ResolvedImage> {
  const ref = typeof spec === 'object' && 'ref' in spec ? spec.ref : 'forager-base:bookworm';
  const info = await engine().getImage(ref).inspect().catch(() => undefined);
  if (!info) throw new TaskError('IMAGE_MISSING', `image ${ref} is not on this engine`);
  return { ref, id: info.Id, digest: info.RepoDigests?.[0] ?? null };
}
