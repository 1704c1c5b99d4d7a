import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { tempDir } from '../helpers/tasks.js';

/** The runners with a fixture task under tests/fixtures/swebench-runners/<runner>/. */
export const RUNNERS = ['django', 'sympy', 'unittest', 'pytest'] as const;
export type Runner = (typeof RUNNERS)[number];

export const RUNNERS_DIR = fileURLToPath(new URL('../fixtures/swebench-runners', import.meta.url));

export const taskFile = (runner: Runner): string => join(RUNNERS_DIR, runner, 'task.yaml');
export const patchOf = (runner: Runner, kind: 'gold' | 'wrong' | 'test'): string => readFileSync(join(RUNNERS_DIR, runner, `${kind}.patch`), 'utf8');

/**
 * A copy of a runner's task in `dir`, with `change` applied to its spec. Its repository is
 * copied beside it (a task file names only paths inside its folder); the same files make
 * the same commit, so the image layers are shared with the fixture's.
 */
export async function writeVariant(runner: Runner, dir: string, change: (spec: Record<string, unknown>) => void): Promise<string> {
  const spec = parse(await readFile(taskFile(runner), 'utf8')) as Record<string, unknown>;
  const repo = `${spec.id as string}-repo`;
  cpSync(join(RUNNERS_DIR, runner, 'repo'), join(dir, repo), { recursive: true });
  spec.repo = { path: repo };
  change(spec);
  const path = join(dir, `${spec.id as string}.task.yaml`);
  await writeFile(path, stringify(spec, { lineWidth: 0 }));
  return path;
}

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_GLOBAL: '/dev/null' };

/** A git checkout of a runner's repository at its base (one commit of the fixture folder), for `git apply --check`. */
export async function baseCheckout(runner: Runner): Promise<string> {
  const dir = await tempDir('forager-base-');
  cpSync(join(RUNNERS_DIR, runner, 'repo'), dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  return dir;
}
