import { execFileSync } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from '../helpers/tasks.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_GLOBAL: '/dev/null' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

async function put(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export const BUGGY = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n';
export const GOLD = 'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,5 +1,5 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n \n \n def mul(a, b):\n';
export const WRONG = 'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,5 +1,5 @@\n def add(a, b):\n-    return a - b\n+    return a + b + 1\n \n \n def mul(a, b):\n';
export const TEST_PATCH = 'diff --git a/test_calc.py b/test_calc.py\n--- a/test_calc.py\n+++ b/test_calc.py\n@@ -3,3 +3,7 @@ from calc import add, mul\n \n def test_mul():\n     assert mul(2, 3) == 6\n+\n+\n+def test_add():\n+    assert add(2, 3) == 5\n';

/**
 * A small real Python project: an initial commit, the base commit (add() is buggy), a
 * later commit with the fix, a tag on it and a remote: the future an image must not hold.
 */
export async function makeProject(): Promise<{ dir: string; initial: string; base: string; fix: string }> {
  const dir = await tempDir('forager-project-');
  git(dir, 'init', '-q', '-b', 'trunk');
  await put(dir, { 'README.md': '# calc\n' });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  const initial = git(dir, 'rev-parse', 'HEAD');
  await put(dir, { 'calc.py': BUGGY, 'test_calc.py': 'from calc import add, mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n' });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'add calc');
  const base = git(dir, 'rev-parse', 'HEAD');
  await put(dir, { 'calc.py': BUGGY.replace('a - b', 'a + b') });
  git(dir, 'commit', '-qam', 'fix add: the answer');
  const fix = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'tag', 'v1.0', fix);
  git(dir, 'remote', 'add', 'origin', 'https://example.invalid/calc.git');
  await put(dir, { 'calc.py': 'stashed\n' });
  git(dir, 'stash', '-q');
  return { dir, initial, base, fix };
}

/**
 * Write a repository task on `project` at `commit`, and return its path. The project is
 * copied whole (history, tags, remotes, stash) into the task's folder: a task file may name
 * only paths inside its folder unless the operator passes --allow-host-paths.
 */
export async function writeRepoTask(project: string, commit: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await tempDir('forager-repo-task-');
  const path = join(dir, 'task.yaml');
  await cp(project, join(dir, 'repo'), { recursive: true, verbatimSymlinks: true });
  // An environment layer from a Dockerfile (COPY only: its build needs no network).
  await put(dir, { 'env/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY marker /opt/env/marker\n', 'env/marker': 'calc env\n' });
  await writeFile(path, stringify({
    id: 'calc-add',
    instruction: 'add() subtracts; fix it.',
    image: 'python',
    workdir: '/testbed',
    repo: { path: 'repo', commit },
    environment: { dockerfile: 'env/Dockerfile' },
    eval: {
      test_command: 'python3 -m pytest -p no:cacheprovider -q --junitxml=$FORAGER_JUNIT test_calc.py',
      test_patch: TEST_PATCH,
      fail_to_pass: ['test_calc.py::test_add'],
      pass_to_pass: ['test_calc.py::test_mul'],
      timeout_s: 120,
    },
    gold_patch: GOLD,
    agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
    limits: { wall_time_s: 120 },
    ...extra,
  }));
  return path;
}
