import { TaskError } from '../core/errors.js';
import { seededUnit } from './hash.js';

/** A named split and the share of repositories it takes; the rest go to `train`. */
export interface SplitSpec {
  name: string;
  fraction: number;
  seed: number;
}

/** Parse `validation=0.1` into a split spec. */
export function parseSplit(text: string, seed: number): SplitSpec {
  const match = /^([A-Za-z][\w-]*)=([0-9.]+)$/.exec(text.trim());
  const fraction = match ? Number(match[2]) : Number.NaN;
  if (!match || !(fraction > 0 && fraction < 1) || match[1] === 'train') {
    throw new TaskError('EXPORT_BAD_SPLIT', `--split: expected NAME=FRACTION with 0 < FRACTION < 1 and NAME not "train" (e.g. validation=0.1), found ${JSON.stringify(text)}`);
  }
  return { name: match[1] as string, fraction, seed };
}

/**
 * The split a repository belongs to, decided by a seeded hash of its name alone: every
 * trajectory of a repository lands on the same side, and the same seed gives the same split.
 */
export function assignSplit(repo: string, spec: SplitSpec | undefined): string {
  if (!spec) return 'all';
  return seededUnit(spec.seed, `split:${repo}`) < spec.fraction ? spec.name : 'train';
}
