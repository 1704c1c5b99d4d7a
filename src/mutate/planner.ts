import type { Candidate } from './candidates.js';
import { MUTATION_KINDS, quotas, type KindShares, type MutationKind } from './kinds.js';
import { createRandom, shuffle } from './prng.js';

/**
 * Which candidate to try next so that the kept mutants follow the mix: each kind has a
 * quota of `count`; the kind furthest below its quota goes next (ties in kind order);
 * once quotas are met or their pools run dry, kinds are drawn by weight. Within a kind,
 * candidates come in a seeded shuffle of their stable order. Pure: same inputs and the
 * same kept/discarded answers give the same sequence.
 */
export class MutantPlanner {
  private readonly pools: Record<MutationKind, Candidate[]>;
  private readonly targets: KindShares;
  private readonly kept: Record<MutationKind, number> = { functions: 0, arguments: 0, variables: 0, statements: 0, operators: 0 };
  private readonly random: () => number;

  constructor(candidates: Candidate[], private readonly shares: KindShares, count: number, seed: number) {
    this.random = createRandom(seed);
    this.targets = quotas(shares, count);
    this.pools = Object.fromEntries(MUTATION_KINDS.map((k) => [k, shares[k] > 0 ? shuffle(candidates.filter((c) => c.kind === k), this.random) : []])) as Record<MutationKind, Candidate[]>;
  }

  /** The next candidate to try, or undefined when every pool is empty. */
  next(): Candidate | undefined {
    const open = MUTATION_KINDS.filter((k) => this.pools[k].length > 0);
    if (open.length === 0) return undefined;
    const deficits = open.map((k) => this.targets[k] - this.kept[k]);
    const most = Math.max(...deficits);
    const kind = most > 0 ? open[deficits.indexOf(most)]! : this.drawByWeight(open);
    return this.pools[kind].shift();
  }

  /** Tell the planner whether the last candidate became a task. */
  record(candidate: Candidate, kept: boolean): void {
    if (kept) this.kept[candidate.kind] += 1;
  }

  private drawByWeight(open: MutationKind[]): MutationKind {
    const total = open.reduce((s, k) => s + this.shares[k], 0);
    let at = this.random() * total;
    for (const kind of open) {
      at -= this.shares[kind];
      if (at < 0) return kind;
    }
    return open[open.length - 1]!;
  }
}
