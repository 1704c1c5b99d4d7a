import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTrajectories, globToRegExp, type FilterSpec } from '../../src/export/index.js';
import { readExcludedRepos, readExcludedTasks } from '../../src/export/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory, type TrajectoryInput } from './fixtures.js';

let batch: string;
let dir: string;

const SET: TrajectoryInput[] = [
  bashTrajectory('a1', 'alpha-1', ['ls'], { repo: 'org/alpha', footer: { reward: 1, evaluation: { resolved: true }, totals: { output_bytes: 1, action_ms: 1, agent_ms: 1, prompt_tokens: 100, completion_tokens: 10 } } }),
  bashTrajectory('a2', 'alpha-2', ['ls', 'pwd', 'id'], { repo: 'org/alpha', footer: { reward: 0, evaluation: { resolved: false } } }),
  bashTrajectory('b1', 'beta-1', ['ls', 'pwd'], { repo: 'org/beta', footer: { exit_status: 'max_steps', failure_kind: 'agent', totals: { output_bytes: 1, action_ms: 1, agent_ms: 1, prompt_tokens: 5000, completion_tokens: 500 } } }),
  bashTrajectory('c1', 'gamma-1', ['ls'], { footer: { exit_status: 'error', failure_kind: 'infrastructure' } }),
];

async function kept(filters: FilterSpec): Promise<string[]> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  await exportTrajectories([batch], { format: 'jsonl', out, filters });
  const text = await readFile(out, 'utf8');
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l).header.trajectory_id);
}

beforeAll(async () => {
  dir = await makeTempDir();
  batch = join(dir, 'batch');
  for (const t of SET) await writeTrajectory(join(batch, t.id, 'attempt-0.jsonl'), t);
});

describe('exportTrajectories() - filters', () => {
  it('keeps the exit statuses and failure kinds asked for', async () => {
    expect(await kept({ exitStatuses: ['submitted'] })).toEqual(['a1', 'a2']);
    expect(await kept({ failureKinds: ['agent', 'infrastructure'] })).toEqual(['b1', 'c1']);
    expect(await kept({ failureKinds: ['none'] })).toEqual(['a1', 'a2']);
  });

  it('keeps resolved or unresolved ones, or those above a reward', async () => {
    expect(await kept({ resolved: true })).toEqual(['a1']);
    expect(await kept({ resolved: false })).toEqual(['a2']);
    expect(await kept({ minReward: 0.5 })).toEqual(['a1']);
  });

  it('keeps tasks and repositories matching globs', async () => {
    expect(await kept({ tasks: [globToRegExp('alpha-*'), globToRegExp('gamma-?')] })).toEqual(['a1', 'a2', 'c1']);
    expect(await kept({ repos: [globToRegExp('org/b*')] })).toEqual(['b1']);
    expect(await kept({ repos: [globToRegExp('gamma')] })).toEqual(['c1']);
  });

  it('keeps step and token ranges', async () => {
    expect(await kept({ minSteps: 2 })).toEqual(['a2', 'b1']);
    expect(await kept({ maxSteps: 1 })).toEqual(['a1', 'c1']);
    expect(await kept({ maxTokens: 1000 })).toEqual(['a1', 'a2', 'c1']);
  });

  it('drops the tasks and repositories of decontamination lists', async () => {
    await writeFile(join(dir, 'tasks.txt'), '# held-out benchmark\nalpha-2\n\nbeta-1\n');
    await writeFile(join(dir, 'repos.txt'), 'https://github.com/Org/Alpha.git\n');
    expect(await kept({ excludeTasks: await readExcludedTasks(join(dir, 'tasks.txt')) })).toEqual(['a1', 'c1']);
    expect(await kept({ excludeRepos: await readExcludedRepos(join(dir, 'repos.txt')) })).toEqual(['b1', 'c1']);
  });

  it('counts what each filter left out', async () => {
    const report = await exportTrajectories([batch], { format: 'jsonl', out: join(dir, 'count.jsonl'), filters: { exitStatuses: ['submitted'], maxSteps: 1 } });
    expect(report.filtered).toEqual({ exit_status: 2, steps: 1 });
    expect(report.exported).toBe(1);
  });
});

describe('exportTrajectories() - split by repository', () => {
  async function splitOnce(seed: number, name: string) {
    const manyDir = join(dir, 'many');
    const out = join(dir, `${name}.jsonl`);
    const report = await exportTrajectories([manyDir], { format: 'jsonl', out, split: { name: 'validation', fraction: 0.3, seed } });
    const read = async (split: string) => (await readFile(join(dir, `${name}.${split}.jsonl`), 'utf8')).trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).header as { trajectory_id: string; task: { spec: { metadata: { repo: string } } } });
    return { report, train: await read('train'), validation: await read('validation') };
  }

  beforeAll(async () => {
    for (let r = 0; r < 20; r += 1) {
      for (let k = 0; k < 3; k += 1) await writeTrajectory(join(dir, 'many', `r${r}-${k}.jsonl`), bashTrajectory(`r${r}-${k}`, `repo${r}-${k}`, ['ls'], { repo: `org/repo${r}` }));
    }
  });

  it('puts no repository on both sides and loses no trajectory', async () => {
    const { train, validation, report } = await splitOnce(3, 's1');
    const repos = (side: typeof train) => new Set(side.map((h) => h.task.spec.metadata.repo));
    const trainRepos = repos(train);
    for (const repo of repos(validation)) expect(trainRepos.has(repo)).toBe(false);
    expect(train.length + validation.length).toBe(60);
    expect(validation.length).toBeGreaterThan(0);
    expect(report.outputs.map((o) => o.split)).toEqual(['train', 'validation']);
  });

  it('gives the same split for the same seed and another for another seed', async () => {
    const ids = (s: Awaited<ReturnType<typeof splitOnce>>) => s.validation.map((h) => h.trajectory_id);
    const first = ids(await splitOnce(3, 's2'));
    expect(ids(await splitOnce(3, 's3'))).toEqual(first);
    expect(ids(await splitOnce(4, 's4'))).not.toEqual(first);
  });
});
