import { TaskError } from '../core/errors.js';

/** ForagerAgent's five mutation kinds, in the order ties are broken. */
export const MUTATION_KINDS = ['functions', 'arguments', 'variables', 'statements', 'operators'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];
export type KindShares = Record<MutationKind, number>;

/** ForagerAgent's mix (7/9/6/11/12 % of all trajectories), as shares of its 45 % of mutate-fix tasks. */
export const DEFAULT_SHARES: KindShares = { functions: 0.15, arguments: 0.2, variables: 0.13, statements: 0.25, operators: 0.27 };

/**
 * Parse `functions=0.15,arguments=0.2,…`: named kinds take their weight, kinds left out
 * get 0 (so `--kinds operators=1` makes only operator mutants). Weights are normalised.
 */
export function parseKinds(text: string): KindShares {
  const shares: KindShares = { functions: 0, arguments: 0, variables: 0, statements: 0, operators: 0 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!(MUTATION_KINDS as readonly string[]).includes(name!)) {
      throw new TaskError('MUTATE_KINDS_INVALID', `--kinds: expected one of ${MUTATION_KINDS.join(', ')}, found "${name}"`);
    }
    const weight = value === undefined ? 1 : Number(value);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new TaskError('MUTATE_KINDS_INVALID', `--kinds: expected a weight >= 0 for ${name}, found "${value}"`);
    }
    shares[name as MutationKind] = weight;
  }
  return normaliseShares(shares);
}

export function normaliseShares(shares: KindShares): KindShares {
  const sum = MUTATION_KINDS.reduce((s, k) => s + shares[k], 0);
  if (sum <= 0) throw new TaskError('MUTATE_KINDS_INVALID', '--kinds: expected at least one kind with a weight above 0, found none');
  return Object.fromEntries(MUTATION_KINDS.map((k) => [k, shares[k] / sum])) as KindShares;
}

/** How many of `count` tasks each kind should get: largest remainders, ties in kind order. */
export function quotas(shares: KindShares, count: number): KindShares {
  const exact = MUTATION_KINDS.map((k) => shares[k] * count);
  const out = exact.map(Math.floor);
  let left = count - out.reduce((a, b) => a + b, 0);
  const order = MUTATION_KINDS.map((_, i) => i).sort((a, b) => (exact[b]! - out[b]!) - (exact[a]! - out[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    if (shares[MUTATION_KINDS[i]!] > 0) {
      out[i]! += 1;
      left -= 1;
    }
  }
  return Object.fromEntries(MUTATION_KINDS.map((k, i) => [k, out[i]!])) as KindShares;
}
