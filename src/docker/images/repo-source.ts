import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { TaskError } from '../../core/errors.js';
import type { RepoSpec } from '../../task/spec.js';
import { git } from '../../core/host-git.js';

/** Where a repository's commit can be fetched from, and which commit. */
export interface RepoSource {
  /** A local path or URL that `git fetch` accepts. */
  fetchFrom: string;
  commit: string;
  /** Removes anything made on the way (the repository made from a plain folder). */
  dispose: () => Promise<void>;
}

const SKIPPED = new Set(['.git', '__pycache__', '.pytest_cache', '.mypy_cache', 'node_modules']);

/**
 * Resolve a task's repository to a fetchable source and a full commit SHA: a git
 * repository's revision (default HEAD), a URL's given SHA, or, for a plain folder, a
 * one-commit repository made from its files with fixed author and dates.
 */
export async function locateRepo(repo: RepoSpec, taskDir: string, signal?: AbortSignal): Promise<RepoSource> {
  const none = async (): Promise<void> => undefined;
  if (repo.url !== undefined) return { fetchFrom: repo.url, commit: repo.commit!, dispose: none };
  if (repo.path === undefined) throw new TaskError('REPO_INVALID', 'repo: a repository in the image has no host source');
  const dir = resolve(taskDir, repo.path);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new TaskError('REPO_MISSING', `repo.path: expected a folder at ${dir}, found nothing`, { context: { path: dir } });
  if (existsSync(join(dir, '.git'))) {
    const rev = repo.commit ?? 'HEAD';
    const commit = (await git(['-C', dir, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { signal, code: 'REPO_COMMIT_MISSING' }).catch(() => {
      throw new TaskError('REPO_COMMIT_MISSING', `repo.commit: ${dir} has no commit ${rev}`, { context: { path: dir, commit: rev } });
    })).trim();
    return { fetchFrom: dir, commit, dispose: none };
  }
  if (repo.commit !== undefined) {
    throw new TaskError('REPO_INVALID', `repo.commit: ${dir} is a plain folder (no .git), so it has no commit ${repo.commit}; leave commit out`, { context: { path: dir } });
  }
  return commitFolder(dir, signal);
}

/** Make a one-commit repository of a plain folder; same files, same commit SHA. */
async function commitFolder(dir: string, signal?: AbortSignal): Promise<RepoSource> {
  const tmp = await mkdtemp(join(tmpdir(), 'forager-folder-repo-'));
  try {
    await cp(dir, tmp, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) && !source.endsWith('.pyc') });
    await git(['init', '-q', '-b', 'main'], { cwd: tmp, signal });
    await git(['add', '-A'], { cwd: tmp, signal });
    await git(['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', 'base'], { cwd: tmp, signal });
    const commit = (await git(['rev-parse', 'HEAD'], { cwd: tmp, signal })).trim();
    return { fetchFrom: tmp, commit, dispose: () => rm(tmp, { recursive: true, force: true }) };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
