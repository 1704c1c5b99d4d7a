import { execFile } from 'node:child_process';
import { TaskError, type TaskCode } from './errors.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Environment that keeps a user's git configuration out of what forager builds. */
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'forager',
  GIT_AUTHOR_EMAIL: 'forager@localhost',
  GIT_COMMITTER_NAME: 'forager',
  GIT_COMMITTER_EMAIL: 'forager@localhost',
  // Fixed dates make the commit of a plain folder depend on its content only.
  GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z',
};

/** Run the host's git; a non-zero exit is a result, a missing git binary a task error. */
export function runGit(args: string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: options.cwd, env: { ...process.env, ...GIT_ENV }, signal: options.signal, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== 'number') {
        reject(new TaskError('GIT_UNAVAILABLE', `git could not run on this host: ${error.message}`, { cause: error }));
        return;
      }
      resolve({ exitCode: error ? Number((error as { code: number }).code) : 0, stdout, stderr });
    });
  });
}

/** Run git and return its stdout, or throw a task error naming the command and its stderr. */
export async function git(args: string[], options: { cwd?: string; signal?: AbortSignal; code?: TaskCode } = {}): Promise<string> {
  const result = await runGit(args, options);
  if (result.exitCode !== 0) {
    throw new TaskError(options.code ?? 'REPO_GIT_FAILED', `git ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-1000)}`, {
      context: { cwd: options.cwd ?? null },
    });
  }
  return result.stdout;
}
