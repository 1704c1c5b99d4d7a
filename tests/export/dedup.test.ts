import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeSignature, estimateJaccard, exactJaccard, exportTrajectories, NearDuplicateIndex } from '../../src/export/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

const script = (words: string[]) => words.map((w, i) => `python -m pytest tests/test_${w}.py -k case_${i} --maxfail=1`).join('\n');
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];

describe('MinHash signatures', () => {
  it('estimate the Jaccard similarity of token shingles within a few hundredths', () => {
    const a = script(WORDS);
    const b = script([...WORDS.slice(0, 8), 'nu', 'xi', 'omicron', 'pi']);
    const estimate = estimateJaccard(computeSignature(a), computeSignature(b));
    expect(Math.abs(estimate - exactJaccard(a, b))).toBeLessThan(0.12);
    expect(estimateJaccard(computeSignature(a), computeSignature(a))).toBe(1);
  });
});

describe('NearDuplicateIndex', () => {
  it('drops a near copy in the same repository and names the kept trajectory it copies', () => {
    const index = new NearDuplicateIndex({ threshold: 0.5 });
    expect(index.offer('a', 'repo', script(WORDS))).toEqual({ kept: true });
    const verdict = index.offer('b', 'repo', script(WORDS).replace('case_3', 'case_33'));
    expect(verdict).toMatchObject({ kept: false, duplicateOf: 'a' });
    expect(verdict.kept === false && verdict.similarity).toBeGreaterThan(0.5);
  });

  it('keeps distinct trajectories, and near copies in different repositories', () => {
    const index = new NearDuplicateIndex({ threshold: 0.5 });
    expect(index.offer('a', 'repo-1', script(WORDS))).toEqual({ kept: true });
    expect(index.offer('b', 'repo-1', 'git log --oneline | head\ncat setup.cfg\nsed -n 1,80p src/pkg/core.py')).toEqual({ kept: true });
    expect(index.offer('c', 'repo-2', script(WORDS))).toEqual({ kept: true });
  });

  it('leaves every kept pair below the threshold', () => {
    const index = new NearDuplicateIndex({ threshold: 0.5 });
    const texts = Array.from({ length: 60 }, (_, i) => script(WORDS.map((w, k) => ((i * 7 + k * 3) % 5 === 0 ? `${w}${i}` : w)).slice(i % 4)));
    const kept: string[] = [];
    texts.forEach((text, i) => { if (index.offer(String(i), 'repo', text).kept) kept.push(text); });
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(texts.length);
    for (let i = 0; i < kept.length; i += 1) {
      for (let j = i + 1; j < kept.length; j += 1) {
        expect(estimateJaccard(computeSignature(kept[i] as string), computeSignature(kept[j] as string))).toBeLessThan(0.5);
      }
    }
  });
});

describe('exportTrajectories() - dedup', () => {
  it('removes near copies within a repository, keeps distinct ones, and reports what it dropped', async () => {
    const dir = await makeTempDir();
    const base = ['cd src', 'grep -rn "def parse" .', 'python -m pytest tests/test_parse.py -x', 'sed -i s/foo/bar/ parse.py', 'python -m pytest tests/test_parse.py'];
    await writeTrajectory(join(dir, 'in', '1.jsonl'), bashTrajectory('t1', 'lib-1', base, { repo: 'org/lib' }));
    await writeTrajectory(join(dir, 'in', '2.jsonl'), bashTrajectory('t2', 'lib-2', [...base, 'git diff'], { repo: 'org/lib' }));
    await writeTrajectory(join(dir, 'in', '3.jsonl'), bashTrajectory('t3', 'lib-3', ['make docs', 'ls build/html', 'open index'], { repo: 'org/lib' }));
    await writeTrajectory(join(dir, 'in', '4.jsonl'), bashTrajectory('t4', 'app-1', base, { repo: 'org/app' }));
    const out = join(dir, 'out.jsonl');
    const report = await exportTrajectories([join(dir, 'in')], { format: 'jsonl', out, dedup: { threshold: 0.5 } });
    const kept = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).header.trajectory_id);
    expect(kept).toEqual(['t1', 't3', 't4']);
    expect(report.dedup?.dropped).toEqual([expect.objectContaining({ trajectory_id: 't2', instance_id: 'lib-2', repo: 'org/lib', duplicate_of: 't1', path: join(dir, 'in', '2.jsonl') })]);
    expect(report.dedup?.dropped[0]?.similarity).toBeGreaterThanOrEqual(0.5);
  });
});
