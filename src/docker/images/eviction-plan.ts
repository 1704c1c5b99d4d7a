/** A forager-built image as eviction sees it. */
export interface CachedImage {
  id: string;
  refs: string[];
  sizeBytes: number;
  /** Last use (ms since epoch): recorded use, or the image's creation time when never recorded. */
  lastUsedMs: number;
}

/**
 * The images to remove, least recently used first, until the rest fit in the budget. Pure.
 * Protected images (the base image, images of running containers) are never chosen but
 * still count against the budget.
 */
export function planEviction(images: CachedImage[], budgetBytes: number, protectedIds: ReadonlySet<string>): CachedImage[] {
  let total = images.reduce((sum, image) => sum + image.sizeBytes, 0);
  const victims: CachedImage[] = [];
  const candidates = images.filter((image) => !protectedIds.has(image.id)).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  for (const image of candidates) {
    if (total <= budgetBytes) break;
    victims.push(image);
    total -= image.sizeBytes;
  }
  return victims;
}

export { parseSize } from '../../core/size.js';
