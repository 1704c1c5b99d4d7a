import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { TaskError } from '../core/errors.js';
import { git, runGit } from '../core/host-git.js';

/** A repository to build an environment for: where to fetch it, which commit, and what to call it. */
export interface RepoInput {
  /** A git URL, a checkout, a bare repository or a bundle file. */
  location: string;
  /** A commit, tag or branch (default HEAD). */
  revision?: string;
  /** `owner/name` (default: from the location). */
  name?: string;
}

/** A repository resolved on the host: a local git directory holding the commit. */
export interface RepoSource {
  name: string;
  /** File-name-safe form of the name (`owner__name`): the repository's folder in an output. */
  key: string;
  /** What `git fetch` reads from (a local git directory). */
  gitDir: string;
  commit: string;
  /** The newest tag reachable from the commit, when the history has one (the project's version). */
  describe: string | null;
}

/**
 * Repositories named on the command line: each argument is a location (`URL[@rev]`,
 * a path) or a list file (`.txt`/`.list`: one `location [revision] [name=owner/name]` per
 * line, `#` comments).
 */
export async function readRepoInputs(args: string[]): Promise<RepoInput[]> {
  const inputs: RepoInput[] = [];
  for (const arg of args) {
    const info = await stat(arg).catch(() => undefined);
    if (info?.isFile() && /\.(txt|list)$/.test(arg)) {
      const lines = (await readFile(arg, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const text = line.replace(/#.*$/, '').trim();
        if (!text) return;
        const words = text.split(/\s+/);
        const name = words.find((w) => w.startsWith('name='))?.slice(5);
        const rest = words.filter((w) => !w.startsWith('name='));
        if (rest.length > 2 || (name !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(name))) {
          throw new TaskError('ENV_LIST_INVALID', `${arg}:${i + 1}: expected "location [revision] [name=owner/name]", found ${JSON.stringify(text)}`);
        }
        const location = isAbsolute(rest[0]!) || /^[a-z]+:\/\//i.test(rest[0]!) || /^[\w.-]+@[\w.-]+:/.test(rest[0]!) ? rest[0]! : resolve(dirname(arg), rest[0]!);
        inputs.push({ location, revision: rest[1], name });
      });
    } else {
      const at = /^(.*?)@([^/@:]+)$/.exec(arg);
      inputs.push(at && !existsSync(arg) ? { location: at[1]!, revision: at[2] } : { location: arg });
    }
  }
  return inputs;
}

/** `owner/name` from a location: a URL's last two segments, a mirror's `owner+name/repo`, else the folder's name. */
export function nameOf(location: string): string {
  const clean = location.replace(/\/+$/, '').replace(/\.(git|bundle)$/, '');
  const url = /^(?:[a-z]+:\/\/[^/]+\/|[\w.-]+@[\w.-]+:)(.+)$/i.exec(clean);
  if (url) {
    const parts = url[1]!.split('/').filter(Boolean);
    return parts.slice(-2).join('/');
  }
  const base = basename(clean);
  const folder = base === 'repo' || base === '.git' ? basename(dirname(clean)) : base;
  return folder.includes('+') ? folder.replace('+', '/') : folder;
}

/** The folder-safe key of a repository name. */
export function keyOf(name: string): string {
  return name.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * Resolve one input: local repositories (checkouts, bare) are read in place; URLs and
 * bundles are mirrored into `cacheDir` first. A repository that cannot be fetched or has
 * no such revision is a TaskError (ENV_CLONE_FAILED, ENV_REVISION_MISSING).
 */
export async function resolveRepo(input: RepoInput, cacheDir: string, signal?: AbortSignal): Promise<RepoSource> {
  const name = input.name ?? nameOf(input.location);
  const key = keyOf(name);
  let gitDir = await localGitDir(input.location);
  if (!gitDir) {
    gitDir = join(cacheDir, `${key}.git`);
    const fetched = existsSync(gitDir)
      ? await runGit(['-C', gitDir, 'fetch', '-q', '--prune', '--tags', input.location, '+refs/heads/*:refs/heads/*'], { signal })
      : await runGit(['clone', '-q', '--mirror', input.location, gitDir], { signal });
    if (fetched.exitCode !== 0) throw new TaskError('ENV_CLONE_FAILED', `${input.location}: does not clone: ${fetched.stderr.trim().slice(-500)}`, { context: { repo: name } });
  }
  const revision = input.revision ?? 'HEAD';
  const commit = (await git(['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { signal }).catch(() => {
    throw new TaskError('ENV_REVISION_MISSING', `${input.location}: has no commit ${revision}`, { context: { repo: name } });
  })).trim();
  const described = await runGit(['--git-dir', gitDir, 'describe', '--tags', '--abbrev=0', commit], { signal });
  return { name, key, gitDir, commit, describe: described.exitCode === 0 ? described.stdout.trim() || null : null };
}

/** The git directory of a local checkout or bare repository; null for anything else (a URL, a bundle). */
async function localGitDir(location: string): Promise<string | null> {
  const info = await stat(location).catch(() => undefined);
  if (!info?.isDirectory()) return null;
  if (existsSync(join(location, '.git'))) return resolve(location, '.git');
  if (existsSync(join(location, 'HEAD')) && existsSync(join(location, 'objects'))) return resolve(location);
  return null;
}

/** A project version from a tag (`v1.2.3` → `1.2.3`), else null. */
export function versionOfTag(tag: string | null): string | null {
  const m = tag ? /(\d+(?:\.\d+)*(?:[._-]?(?:a|b|rc|post|dev)\d*)?)$/.exec(tag) : null;
  return m ? m[1]! : null;
}
