import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { git } from '../core/host-git.js';

const run = promisify(execFile);

/**
 * A host git repository holding each task's starting state as its own parentless
 * commit (so the original code is in no task's history), one branch per task. Commits
 * use git's fixed forager identity and dates: same trees, same SHAs.
 */
export class MutantRepo {
  private constructor(readonly dir: string, readonly baseTree: string, readonly baseCommit: string) {}

  /** Create (or reuse) the repository at `dir` and store the original tree from a tar of the repository. */
  static async open(dir: string, archive: Buffer, signal?: AbortSignal): Promise<MutantRepo> {
    if (!existsSync(join(dir, '.git'))) {
      await mkdir(dir, { recursive: true });
      await git(['init', '-q', '-b', 'main', dir], { signal });
    }
    const tmp = await mkdtemp(join(tmpdir(), 'forager-mutate-tree-'));
    try {
      await writeFile(join(tmp, 'repo.tar'), archive);
      await mkdir(join(tmp, 'tree'));
      await run('tar', ['-xf', join(tmp, 'repo.tar'), '-C', join(tmp, 'tree')], { signal });
      const gitDir = ['--git-dir', join(dir, '.git'), '--work-tree', join(tmp, 'tree')];
      await git([...gitDir, 'read-tree', '--empty'], { signal });
      await git([...gitDir, 'add', '-A', '-f', '.'], { signal });
      const tree = (await git([...gitDir, 'write-tree'], { signal })).trim();
      const commit = (await git(['-C', dir, 'commit-tree', tree, '-m', 'base'], { signal })).trim();
      await git(['-C', dir, 'update-ref', 'refs/heads/forager-original', commit], { signal });
      return new MutantRepo(dir, tree, commit);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Commit the original tree with `path` replaced by `content`, as branch `name`; the commit SHA. */
  async commitMutant(name: string, path: string, content: string, signal?: AbortSignal): Promise<string> {
    const tmp = await mkdtemp(join(tmpdir(), 'forager-mutant-'));
    try {
      const file = join(tmp, 'content');
      await writeFile(file, content);
      const mode = (await git(['-C', this.dir, 'ls-tree', this.baseTree, '--', path], { signal })).split(/\s/)[0] || '100644';
      const blob = (await git(['-C', this.dir, 'hash-object', '-w', '--no-filters', file], { signal })).trim();
      return await this.commitTree(tmp, mode, blob, path, name, signal);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** The diff that turns a mutant's commit back into the original: the task's gold patch. */
  async goldPatch(mutant: string, signal?: AbortSignal): Promise<string> {
    return git(['-C', this.dir, 'diff', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', mutant, this.baseCommit], { signal });
  }

  /** A private index (GIT_INDEX_FILE), so that concurrent users of the repository's own index are not disturbed. */
  private async commitTree(tmp: string, mode: string, blob: string, path: string, name: string, signal?: AbortSignal): Promise<string> {
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_INDEX_FILE: join(tmp, 'index'), GIT_DIR: join(this.dir, '.git') };
    const opts = { env, signal };
    await run('git', ['read-tree', this.baseTree], opts);
    await run('git', ['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`], opts);
    const tree = (await run('git', ['write-tree'], opts)).stdout.trim();
    const commit = (await git(['-C', this.dir, 'commit-tree', tree, '-m', 'base'], { signal })).trim();
    await git(['-C', this.dir, 'update-ref', `refs/heads/${name}`, commit], { signal });
    return commit;
  }
}
