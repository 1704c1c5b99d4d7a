/** 32-bit FNV-1a over UTF-16 code units, then a murmur3 finaliser for avalanche. */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) determined only by the seed and the key: order-independent randomness. */
export function seededUnit(seed: number, key: string): number {
  return hashString(key, mix32(seed ^ 0x9e3779b9)) / 0x1_0000_0000;
}
