import type { PreparedImage, SandboxProvider } from '../sandbox/index.js';
import type { Header } from '../trajectory/schema.js';
import { ReplayRefusedError } from './errors.js';

export interface RecordedImageOptions {
  /** Run on the recorded ID even when its tag now names another image. */
  allowRetagged?: boolean;
  /** The backend to look on. */
  provider: SandboxProvider;
}

/**
 * The recorded image, to be run by ID: refuse when the engine no longer has that ID, or
 * when the recorded tag now points at a different image (unless allowed), since a
 * rebuild is not the image the observations came from.
 */
export async function resolveRecordedImage(header: Header, options: RecordedImageOptions): Promise<PreparedImage> {
  const provider = options.provider;
  const { ref, id } = header.image;
  const context = { ref, imageId: id, trajectory: header.trajectory_id };
  if (!id) {
    throw new ReplayRefusedError('IMAGE_NOT_RECORDED', 'task', `the recorded run never got an image (image.ref ${ref}, no image.id): there is nothing to replay it on`, { context });
  }
  const byId = await provider.findImage(id);
  if (!byId) {
    // Image IDs are per backend: a Podman-recorded run has its image in Podman's store.
    const recordedOn = header.sandbox?.provider;
    const elsewhere = recordedOn && recordedOn !== provider.name ? ` (it was recorded on ${recordedOn}, this is ${provider.name}: replay with --sandbox ${recordedOn})` : '';
    throw new ReplayRefusedError('IMAGE_GONE', 'infrastructure', `the recorded image ${id} (${ref}) is gone from the engine${elsewhere}; a rebuild would not be the image the observations came from, so the run cannot be replayed exactly`, { context });
  }
  if (ref !== id && !options.allowRetagged) {
    const byTag = await provider.findImage(ref);
    if (byTag && byTag.id !== id) {
      throw new ReplayRefusedError('IMAGE_RETAGGED', 'task', `${ref} now points to ${byTag.id}, not the recorded ${id}; the recorded image is still on the engine: pass --allow-retagged to replay on it by ID`, { context });
    }
  }
  return { ref: id, id, digest: header.image.digest ?? null, built: false };
}
