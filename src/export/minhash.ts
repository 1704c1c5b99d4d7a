import { hashString, mix32 } from './hash.js';

export interface MinHashOptions {
  /** Signature length (number of hash functions); default 128. */
  permutations?: number;
  /** Tokens per shingle; default 3. */
  shingleSize?: number;
}

const SALT_BASE = 0x5bd1e995;

/** The distinct hashed token shingles of a text (tokens are runs of word characters or single symbols). */
export function shingleHashes(text: string, shingleSize: number): Set<number> {
  const tokens = text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
  const hashes = new Set<number>();
  if (tokens.length === 0) return hashes;
  const last = Math.max(0, tokens.length - shingleSize);
  for (let i = 0; i <= last; i += 1) hashes.add(hashString(tokens.slice(i, i + shingleSize).join(' ')));
  return hashes;
}

/** The MinHash signature of a text: per hash function, the minimum over its shingles. */
export function computeSignature(text: string, options: MinHashOptions = {}): Uint32Array {
  const permutations = options.permutations ?? 128;
  const signature = new Uint32Array(permutations).fill(0xffffffff);
  for (const shingle of shingleHashes(text, options.shingleSize ?? 3)) {
    for (let i = 0; i < permutations; i += 1) {
      const value = mix32(shingle ^ Math.imul(i + 1, SALT_BASE));
      if (value < (signature[i] as number)) signature[i] = value;
    }
  }
  return signature;
}

/** The Jaccard similarity estimated from two signatures: the share of equal minimums. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < a.length; i += 1) if (a[i] === b[i]) equal += 1;
  return equal / a.length;
}

/** Exact Jaccard similarity of two texts' shingle sets (for tests and reports). */
export function exactJaccard(a: string, b: string, shingleSize = 3): number {
  const left = shingleHashes(a, shingleSize);
  const right = shingleHashes(b, shingleSize);
  if (left.size === 0 && right.size === 0) return 1;
  let both = 0;
  for (const value of left) if (right.has(value)) both += 1;
  return both / (left.size + right.size - both);
}

/**
 * Rows per LSH band: the most rows (fewest false candidates) that still make a pair at the
 * threshold a candidate with probability >= 0.999.
 */
export function chooseBandRows(threshold: number, permutations: number): number {
  let best = 1;
  for (let rows = 1; rows <= permutations; rows += 1) {
    const bands = Math.floor(permutations / rows);
    const recall = 1 - (1 - threshold ** rows) ** bands;
    if (recall >= 0.999) best = rows;
  }
  return best;
}
