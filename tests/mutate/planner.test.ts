import { describe, expect, it } from 'vitest';
import { MutantPlanner, parseKinds, quotas, DEFAULT_SHARES, MUTATION_KINDS, type Candidate, type MutationKind } from '../../src/mutate/index.js';

function candidate(kind: MutationKind, n: number): Candidate {
  return { kind, op: 'op', file: 'a.py', function: `f${n}`, function_line: n + 1, line: n + 1, description: `${kind} ${n}`, tests: ['t'], sha256: `${kind}-${n}`.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a'), hunk: { start: 0, delete: 0, insert: [] } };
}

const pool = MUTATION_KINDS.flatMap((k) => Array.from({ length: 10 }, (_, i) => candidate(k, i)));

function drain(planner: MutantPlanner, keep: (c: Candidate) => boolean, limit = 1000): Candidate[] {
  const tried: Candidate[] = [];
  for (let c = planner.next(); c && tried.length < limit; c = planner.next()) {
    tried.push(c);
    planner.record(c, keep(c));
  }
  return tried;
}

describe('parseKinds()', () => {
  it('normalises weights and gives kinds left out nothing', () => {
    expect(parseKinds('operators=3,functions=1')).toEqual({ functions: 0.25, arguments: 0, variables: 0, statements: 0, operators: 0.75 });
  });

  it('refuses unknown kinds and negative weights, naming what it found', () => {
    expect(() => parseKinds('loops=1')).toThrow(/expected one of functions, arguments, variables, statements, operators, found "loops"/);
    expect(() => parseKinds('operators=-1')).toThrow(/weight >= 0 for operators, found "-1"/);
    expect(() => parseKinds('operators=0')).toThrow(/at least one kind/);
  });
});

describe('quotas()', () => {
  it('splits a count by ForagerAgent\'s shares with largest remainders', () => {
    expect(quotas(DEFAULT_SHARES, 10)).toEqual({ functions: 2, arguments: 2, variables: 1, statements: 2, operators: 3 });
    expect(Object.values(quotas(DEFAULT_SHARES, 7)).reduce((a, b) => a + b)).toBe(7);
  });
});

describe('MutantPlanner', () => {
  it('keeps the mix when every candidate is kept', () => {
    const planner = new MutantPlanner(pool, DEFAULT_SHARES, 10, 1);
    const tried = drain(planner, () => true, 10);
    const counts = Object.fromEntries(MUTATION_KINDS.map((k) => [k, tried.filter((c) => c.kind === k).length]));
    expect(counts).toEqual(quotas(DEFAULT_SHARES, 10));
  });

  it('tries more of a kind whose candidates are discarded, until its pool runs dry', () => {
    const planner = new MutantPlanner(pool, DEFAULT_SHARES, 10, 1);
    const tried = drain(planner, (c) => c.kind !== 'operators', 23);
    expect(tried.filter((c) => c.kind === 'operators')).toHaveLength(10);
  });

  it('gives the same sequence for the same seed, another for another seed, and never a kind with weight 0', () => {
    const run = (seed: number) => drain(new MutantPlanner(pool, parseKinds('variables=1,operators=1'), 6, seed), (c) => c.function !== 'f3').map((c) => c.description);
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(run(7).every((d) => d.startsWith('variables') || d.startsWith('operators'))).toBe(true);
    expect(run(7)).toHaveLength(20);
  });
});
