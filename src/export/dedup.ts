import { hashString } from './hash.js';
import { chooseBandRows, computeSignature, estimateJaccard, type MinHashOptions } from './minhash.js';

export interface DedupOptions extends MinHashOptions {
  /** Drop a trajectory when its estimated Jaccard similarity to a kept one is >= this; default 0.5. */
  threshold?: number;
}

export type DedupVerdict =
  | { kept: true }
  | { kept: false; duplicateOf: string; similarity: number };

interface RepoIndex {
  signatures: Uint32Array[];
  ids: string[];
  buckets: Map<number, number[]>;
}

/**
 * Near-duplicate removal within each repository, first come first kept: a trajectory is
 * dropped when it is at least `threshold` similar to one already kept, so every kept pair
 * ends below it. LSH banding finds candidates; each is then checked on the whole signature.
 * Memory: one signature (4 bytes x permutations) and a bucket entry per band per kept trajectory.
 */
export class NearDuplicateIndex {
  private readonly repos = new Map<string, RepoIndex>();
  private readonly threshold: number;
  private readonly permutations: number;
  private readonly rows: number;
  private readonly bands: number;

  constructor(private readonly options: DedupOptions = {}) {
    this.threshold = options.threshold ?? 0.5;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`dedup threshold: expected a number in (0, 1], found ${this.threshold}`);
    this.permutations = options.permutations ?? 128;
    this.rows = chooseBandRows(this.threshold, this.permutations);
    this.bands = Math.floor(this.permutations / this.rows);
  }

  /** Decide on one trajectory (by id and repository) from the text of its actions; kept ones join the index. */
  offer(id: string, repo: string, text: string): DedupVerdict {
    const signature = computeSignature(text, this.options);
    const match = this.find(repo, signature);
    if (match) return { kept: false, duplicateOf: match.id, similarity: match.similarity };
    this.insert(id, repo, signature);
    return { kept: true };
  }

  /** The most similar indexed trajectory at or above the threshold, if any; the index is unchanged. */
  find(repo: string, signature: Uint32Array): { id: string; similarity: number } | undefined {
    const index = this.repoIndex(repo);
    let best: { position: number; similarity: number } | undefined;
    const checked = new Set<number>();
    for (const key of this.bandKeys(signature)) {
      for (const position of index.buckets.get(key) ?? []) {
        if (checked.has(position)) continue;
        checked.add(position);
        const similarity = estimateJaccard(signature, index.signatures[position] as Uint32Array);
        if (similarity >= this.threshold && (!best || similarity > best.similarity)) best = { position, similarity };
      }
    }
    return best ? { id: index.ids[best.position] as string, similarity: best.similarity } : undefined;
  }

  /** Add a signature to the index without checking it. */
  insert(id: string, repo: string, signature: Uint32Array): void {
    const index = this.repoIndex(repo);
    const position = index.signatures.push(signature) - 1;
    index.ids.push(id);
    for (const key of this.bandKeys(signature)) {
      const bucket = index.buckets.get(key);
      if (bucket) bucket.push(position);
      else index.buckets.set(key, [position]);
    }
  }

  private bandKeys(signature: Uint32Array): number[] {
    const keys: number[] = [];
    for (let band = 0; band < this.bands; band += 1) {
      const slice = signature.subarray(band * this.rows, (band + 1) * this.rows);
      keys.push(hashString(slice.join(','), band));
    }
    return keys;
  }

  private repoIndex(repo: string): RepoIndex {
    let index = this.repos.get(repo);
    if (!index) {
      index = { signatures: [], ids: [], buckets: new Map() };
      this.repos.set(repo, index);
    }
    return index;
  }
}
