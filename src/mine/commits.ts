import { runGit, git } from '../core/host-git.js';

/** Test code: a tests/test/testing folder, test_*.py / *_test(s).py files, conftest.py. */
const TEST_PATH = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_tests?)\.py$|(^|\/)conftest\.py$/;
/** Code whose change can be the fix: Python and compiled-extension sources. */
const CODE_PATH = /\.(py|pyx|pxd|pyi|c|h|cpp)$/;

export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

/** A commit of the history that changes both tests and code: the raw material of an issue-fix task. */
export interface CandidateCommit {
  commit: string;
  /** The first parent: the task's base commit. */
  parent: string;
  merge: boolean;
  testFiles: string[];
  codeFiles: string[];
  /** Every other file the commit changes (part of the gold patch). */
  otherFiles: string[];
}

export interface HistoryScan {
  /** Commits looked at (first-parent history, newest first). */
  scanned: number;
  candidates: CandidateCommit[];
}

/**
 * The last `limit` commits of the first-parent history of `head` (a merge stands for its
 * whole branch: its diff against the first parent), and those that change both test files
 * and code files.
 */
export async function scanHistory(gitDir: string, head: string, limit: number, signal?: AbortSignal): Promise<HistoryScan> {
  const out = await git(['--git-dir', gitDir, 'log', '--first-parent', '--diff-merges=first-parent', '--no-renames', '--name-only', '-z', '--format=%x01%H %P', '-n', String(limit), head], { signal });
  const candidates: CandidateCommit[] = [];
  let scanned = 0;
  for (const block of out.split('\x01').slice(1)) {
    const [header, ...rest] = block.split('\n');
    const [commit, ...parents] = header!.replace(/\0/g, '').trim().split(' ').filter(Boolean);
    scanned += 1;
    if (!commit || parents.length === 0) continue;
    const files = rest.join('\n').split('\0').map((f) => f.trim()).filter(Boolean);
    const testFiles = files.filter(isTestPath);
    const codeFiles = files.filter((f) => !isTestPath(f) && CODE_PATH.test(f));
    if (testFiles.length === 0 || codeFiles.length === 0) continue;
    candidates.push({ commit, parent: parents[0]!, merge: parents.length > 1, testFiles, codeFiles, otherFiles: files.filter((f) => !isTestPath(f) && !CODE_PATH.test(f)) });
  }
  return { scanned, candidates };
}

/** The diff of `files` from the parent to the commit, binary-safe (what `git apply` takes). */
export async function diffOf(gitDir: string, parent: string, commit: string, files: string[], signal?: AbortSignal): Promise<string> {
  if (files.length === 0) return '';
  const result = await runGit(['--git-dir', gitDir, 'diff', '--binary', '--no-renames', '--full-index', parent, commit, '--', ...files.map((f) => `:(literal)${f}`)], { signal });
  return result.exitCode === 0 ? result.stdout : '';
}

/** A commit's message, author date and whether it merged a branch. */
export async function commitInfo(gitDir: string, commit: string, signal?: AbortSignal): Promise<{ message: string; date: string }> {
  const out = await git(['--git-dir', gitDir, 'show', '-s', '--format=%aI%x00%B', commit], { signal });
  const [date, ...message] = out.split('\0');
  return { date: date!.trim(), message: message.join('\0').trim() };
}
