import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../../core/errors.js';
import { git } from '../../core/host-git.js';

/**
 * Shell that leaves only the checked-out commit in the repository at the current
 * folder: no remotes, one branch (main) at HEAD, no other refs, tags or stash, an
 * expired reflog and a pruned object store. Used in the build for repositories that
 * already live in an image; host checkouts get the same treatment in scrubCheckout.
 */
export function scrubScript(commit: string): string {
  return [
    'set -e',
    `git checkout -q --detach ${commit}`,
    'for r in $(git remote); do git remote remove "$r"; done',
    "git for-each-ref --format='%(refname)' | while read -r ref; do git update-ref -d \"$ref\"; done",
    'git checkout -q -B main',
    'git reflog expire --expire=now --all',
    'rm -f .git/FETCH_HEAD .git/ORIG_HEAD .git/MERGE_HEAD .git/packed-refs.lock',
    'git gc -q --prune=now',
  ].join('\n');
}

/**
 * Fetch exactly `commit` (and its past) from `source` into a fresh repository at
 * `dest`, check it out as branch main, then expire and prune: the future of the
 * commit, other refs, tags and remotes never enter it.
 */
export async function checkoutScrubbed(source: string, commit: string, dest: string, signal?: AbortSignal): Promise<{ objects: number }> {
  await git(['init', '-q', '-b', 'main', dest], { signal });
  await git(['-C', dest, 'fetch', '-q', '--no-tags', '--update-head-ok', '--no-write-fetch-head', source, `${commit}:refs/heads/main`], { signal, code: 'REPO_FETCH_FAILED' });
  await git(['-C', dest, 'reset', '-q', '--hard', 'main'], { signal });
  await git(['-C', dest, 'reflog', 'expire', '--expire=now', '--all'], { signal });
  await git(['-C', dest, 'gc', '-q', '--prune=now'], { signal });
  for (const leftover of ['FETCH_HEAD', 'ORIG_HEAD', 'logs']) await rm(join(dest, '.git', leftover), { recursive: true, force: true });
  return verifyScrubbed(dest, commit, signal);
}

/** Check that HEAD is `commit`, main is the only ref, and every stored object is reachable from it. */
export async function verifyScrubbed(dir: string, commit: string, signal?: AbortSignal): Promise<{ objects: number }> {
  const head = (await git(['-C', dir, 'rev-parse', 'HEAD'], { signal })).trim();
  const refs = (await git(['-C', dir, 'for-each-ref', '--format=%(refname)'], { signal })).trim().split('\n').filter(Boolean);
  const reachable = (await git(['-C', dir, 'rev-list', '--objects', 'HEAD'], { signal })).trim().split('\n').filter(Boolean).length;
  const stored = countStored(await git(['-C', dir, 'count-objects', '-v'], { signal }));
  if (head !== commit || refs.join(',') !== 'refs/heads/main' || stored !== reachable) {
    throw new TaskError('REPO_SCRUB_FAILED', `repository at ${dir} is not scrubbed: HEAD ${head} (want ${commit}), refs [${refs.join(', ')}], ${stored} objects stored, ${reachable} reachable`);
  }
  return { objects: reachable };
}

/** Loose plus packed objects from `git count-objects -v`. */
export function countStored(output: string): number {
  const field = (name: string): number => Number(/^(\S+): (\d+)$/m.test(output) ? (new RegExp(`^${name}: (\\d+)$`, 'm').exec(output)?.[1] ?? 0) : 0);
  return field('count') + field('in-pack');
}
