// @needs docker
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePatch } from '../../src/eval/index.js';
import { resolveTaskImage, type TaskImage } from '../../src/docker/images/index.js';
import { runTask } from '../../src/runner/index.js';
import { loadTask, type LoadedTask } from '../../src/task/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, runInImage, TEST_REPOSITORY } from '../docker/images/helpers.js';
import { GOLD, makeProject, WRONG, writeRepoTask } from './helpers.js';

let project: Awaited<ReturnType<typeof makeProject>>;
let task: LoadedTask;
let image: TaskImage;
const runId = testRunId();

beforeAll(async () => {
  project = await makeProject();
  task = await loadTask(await writeRepoTask(project.dir, project.base));
  image = await resolveTaskImage(task, { repository: TEST_REPOSITORY });
});

afterAll(async () => {
  await removeTestImages();
  await rm(project.dir, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

const inRepo = async (script: string): Promise<string> => {
  const { exitCode, output } = await runInImage(image.ref, ['bash', '-c', `cd /testbed && ${script}`]);
  expect(exitCode, output).toBe(0);
  return output.trim();
};

describe('repository task images', () => {
  it('hold the repository at its base commit and nothing of its future: no later commit, remote, tag, stash or reflog', async () => {
    expect(image.repo).toEqual({ root: '/testbed', commit: project.base });
    expect(image.layers.map((l) => l.kind)).toEqual(['image', 'environment', 'task']);
    expect(await inRepo('git rev-parse HEAD && git status --porcelain && cat calc.py')).toBe(`${project.base}\ndef add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b`);
    expect(await inRepo('git rev-list --all')).toBe(`${project.base}\n${project.initial}`);
    expect(await inRepo(`git cat-file -e ${project.fix} 2>/dev/null && echo present || echo absent`)).toBe('absent');
    expect(await inRepo('git for-each-ref --format="%(refname)"; git remote; git tag; git stash list; git reflog --all | wc -l')).toBe('refs/heads/main\n0');
    const counted = await inRepo('git count-objects -v | awk \'/^(count|in-pack):/ {n += $2} END {print n}\'; git rev-list --objects --all | wc -l');
    const [stored, reachable] = counted.split('\n').map(Number);
    expect(stored).toBe(reachable);
    expect(reachable).toBeGreaterThan(4);
  });

  it('builds only its own layer for a sibling task (other commit), and nothing for one with other files', async () => {
    const sibling = await resolveTaskImage(await loadTask(await writeRepoTask(project.dir, project.initial)), { repository: TEST_REPOSITORY });
    expect(sibling.layers[1]).toEqual({ ...image.layers[1], built: false });
    expect(sibling.layers[2]!.built).toBe(true);
    expect(sibling.id).not.toBe(image.id);
    const sameCommit = await loadTask(await writeRepoTask(project.dir, project.base, { files: [{ path: 'extra.txt', content: 'x' }] }));
    const again = await resolveTaskImage(sameCommit, { repository: TEST_REPOSITORY });
    expect(again.layers.map((l) => l.built)).toEqual([false, false, false]);
    expect(again.id).toBe(image.id);
  });
});

describe('evaluatePatch()', () => {
  it('resolves with the gold patch, and not with the empty, a wrong or a non-applying patch', async () => {
    const [gold, empty, wrong, broken] = await Promise.all([GOLD, '', WRONG, GOLD.replace('return a - b', 'return a / b')].map((patch) => evaluatePatch(task, image.id, patch, { provider: testProvider(), runId })));
    expect(gold).toMatchObject({ status: 'graded', resolved: true, patch: { method: 'git_apply' }, results: { 'test_calc.py::test_add': 'passed', 'test_calc.py::test_mul': 'passed' } });
    expect(gold!.tests).toMatchObject({ exit_code: 0, junit: true, total: 2 });
    expect(empty).toMatchObject({ status: 'graded', resolved: false, patch: { method: 'empty' }, fail_to_pass: { success: [], failure: ['test_calc.py::test_add'] } });
    expect(wrong).toMatchObject({ status: 'graded', resolved: false, results: { 'test_calc.py::test_add': 'failed', 'test_calc.py::test_mul': 'passed' } });
    expect(broken).toMatchObject({ status: 'patch_failed', resolved: false, patch: { method: null } });
    expect(broken!.patch.log_tail).toContain('git apply --verbose --reject');
  });
});

describe('runTask() on a repository task', () => {
  it('records the patch (new and binary files in, caches out) and grades it in a fresh container', async () => {
    const agentTask = await loadTask(await writeRepoTask(project.dir, project.base, {
      agent: {
        type: 'scripted',
        actions: [
          { tool: 'edit', path: 'calc.py', search: 'return a - b', replace: 'return a + b' },
          { tool: 'create', path: 'notes/NEW.md', content: 'new file\n' },
          { tool: 'bash', command: "printf '\\x00\\x01\\x02' > blob.bin && mkdir -p __pycache__ pkg/__pycache__ && touch __pycache__/calc.cpython-311.pyc pkg/__pycache__/x.pyc stray.pyc" },
          { tool: 'bash', command: 'git add -A && git -c user.name=a -c user.email=a@a commit -qm "agent commit"' },
          { tool: 'submit', result: 'done' },
        ],
      },
    }));
    const out = join(await tempDir(), 't.jsonl');
    const { footer } = await runTask(agentTask, { provider: testProvider(), out, runId, resolveImage: (t) => resolveTaskImage(t, { repository: TEST_REPOSITORY }) });
    expect(footer.patch).toContain('diff --git a/calc.py b/calc.py');
    expect(footer.patch).toContain('+++ b/notes/NEW.md');
    expect(footer.patch).toContain('GIT binary patch');
    expect(footer.patch).not.toMatch(/pycache|\.pyc/);
    expect(footer).toMatchObject({ exit_status: 'submitted', reward: 1, evaluation: { status: 'graded', resolved: true } });
    const { header } = await readTrajectory(out);
    expect(header.task.spec).not.toHaveProperty('gold_patch');
    expect(header.task.spec).toHaveProperty('gold_patch_sha256');
  });
});
