// @needs docker
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAgent } from '../../src/agent/index.js';
import { proveTask } from '../../src/eval/index.js';
import { resolveTaskImage } from '../../src/docker/images/index.js';
import { loadMutationSource, mutateRepository, MUTATION_KINDS, type MutateReport } from '../../src/mutate/index.js';
import { runTask } from '../../src/runner/index.js';
import { loadTask, type LoadedTask } from '../../src/task/index.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, runInImage, TEST_REPOSITORY } from '../docker/images/helpers.js';

const PROJECT = fileURLToPath(new URL('../fixtures/mutate-project', import.meta.url));
const runId = testRunId();
const queue = new PQueue({ concurrency: 3 });
let out: string;
let report: MutateReport;
let tasks: LoadedTask[];

async function mutate(dir: string, seed: number): Promise<MutateReport> {
  return mutateRepository(await loadMutationSource(PROJECT), { provider: testProvider(), count: 10, seed, out: dir, repository: TEST_REPOSITORY, runId });
}

/** Every task file under `dir`, path → content. */
async function taskFiles(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.task.yaml')).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)));
}

beforeAll(async () => {
  out = await tempDir('forager-mutate-');
  report = await mutate(out, 1);
  tasks = await Promise.all(report.tasks.map((t) => loadTask(t.path)));
});

afterAll(async () => {
  await removeTestImages();
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

describe('mutateRepository()', () => {
  it('makes the tasks asked for, of every kind, each naming its failing tests and its mutation', () => {
    expect(report.passingTests).toBe(11);
    expect(report.tasks).toHaveLength(10);
    expect(new Set(report.tasks.map((t) => t.kind))).toEqual(new Set(MUTATION_KINDS));
    for (const task of tasks) {
      const spec = task.spec;
      expect(spec.eval!.fail_to_pass.length).toBeGreaterThan(0);
      expect(spec.eval!.fail_to_pass.length + spec.eval!.pass_to_pass.length).toBe(11);
      for (const test of spec.eval!.fail_to_pass) expect(spec.instruction).toContain(test);
      expect(spec.metadata.mutation).toMatchObject({ kind: expect.any(String), file: expect.stringMatching(/^shop\//), function: expect.any(String), line: expect.any(Number), seed: 1 });
      const mutation = spec.metadata.mutation as { file: string; description: string };
      expect(spec.instruction).not.toContain(mutation.file);
      expect(spec.instruction).not.toContain(mutation.description);
    }
  });

  it('keeps the rest of the file as it was: an operator mutant\'s gold patch changes one line', () => {
    const operators = tasks.filter((t) => (t.spec.metadata.mutation as { kind: string }).kind === 'operators');
    expect(operators.length).toBeGreaterThan(0);
    for (const task of operators) {
      const changed = task.spec.gold_patch!.split('\n').filter((l) => /^[-+][^-+]/.test(l));
      expect(changed, task.spec.gold_patch).toHaveLength(2);
    }
  });

  it('gives the same task files for the same seed, and other tasks for another seed', async () => {
    const [again, other] = [await tempDir('forager-mutate-again-'), await tempDir('forager-mutate-other-')];
    try {
      await mutate(again, 1);
      await mutate(other, 2);
      expect(await taskFiles(again)).toEqual(await taskFiles(out));
      expect(Object.keys(await taskFiles(other))).not.toEqual(Object.keys(await taskFiles(out)));
    } finally {
      await Promise.all([again, other].map((d) => rm(d, { recursive: true, force: true })));
    }
  }); // two whole mutation runs: 67 s at load 8 since the file tools run in the tool process

  it('writes only sound tasks: the gold patch resolves each, the empty patch does not', async () => {
    const proofs = await Promise.all(tasks.map((task) => queue.add(() => proveTask(task, { provider: testProvider(), runId, repository: TEST_REPOSITORY }))));
    for (const proof of proofs) expect(proof, JSON.stringify(proof?.reason)).toMatchObject({ sound: true, gold: { resolved: true }, empty: { resolved: false } });
  });

  it('starts each task from a repository whose history holds nothing of the original code', async () => {
    for (const task of tasks.slice(0, 3)) {
      const file = (task.spec.metadata.mutation as { file: string }).file;
      const original = execFileSync('git', ['hash-object', join(PROJECT, file)], { encoding: 'utf8' }).trim();
      const image = await resolveTaskImage(task, { repository: TEST_REPOSITORY });
      const { output } = await runInImage(image.ref, ['bash', '-c', `cd /testbed && git rev-list --all | wc -l && git log --format=%s && (git cat-file -e ${original} 2>/dev/null && echo leaked || echo absent)`]);
      expect(output.trim()).toBe('1\nbase\nabsent');
    }
  });

  it('end to end: an agent that applies the gold patch resolves every task (reward 1)', async () => {
    const dir = await tempDir('forager-mutate-runs-');
    try {
      const results = await Promise.all(tasks.map((task) => queue.add(() => runTask(task, { provider: testProvider(),
        out: join(dir, `${task.spec.id}.jsonl`),
        runId,
        agent: new ScriptedAgent([
          { tool: 'create', path: '/tmp/gold.patch', content: task.spec.gold_patch! },
          { tool: 'bash', command: 'git apply /tmp/gold.patch && git status --short' },
          { tool: 'submit' },
        ]),
        resolveImage: (t, signal) => resolveTaskImage(t, { repository: TEST_REPOSITORY, signal }),
      }))));
      for (const result of results) expect(result!.footer, JSON.stringify(result!.footer.evaluation)).toMatchObject({ reward: 1, evaluation: { resolved: true } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
