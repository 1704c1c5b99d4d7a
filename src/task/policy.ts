import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TaskError } from '../core/errors.js';
import type { TaskSpec } from './spec.js';

/**
 * What a task file may reach on the operator's machine. A task file is untrusted input:
 * by default the paths it names stay inside its own folder, and it may name only
 * well-known API-key variables (a task's `base_url` receives the key).
 */
export interface TaskPolicy {
  /** `--allow-host-paths`: files.from, repo.path, dockerfile and context may leave the task's folder; repo.url may name this machine. */
  allowHostPaths: boolean;
  /** Variables `agent.api_key_env` may name. */
  allowedKeyEnv: ReadonlySet<string>;
}

/** Allowed without asking: the usual names of model API keys. */
export const DEFAULT_KEY_ENV = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'FORAGER_API_KEY'] as const;
/** Comma- or space-separated extra names for api_key_env. */
export const KEY_ENV_VARIABLE = 'FORAGER_ALLOWED_KEY_ENV';

/** The default policy: confined paths; the default key names plus $FORAGER_ALLOWED_KEY_ENV. */
export function defaultTaskPolicy(env: NodeJS.ProcessEnv = process.env): TaskPolicy {
  const extra = (env[KEY_ENV_VARIABLE] ?? '').split(/[\s,]+/).filter(Boolean);
  return { allowHostPaths: false, allowedKeyEnv: new Set([...DEFAULT_KEY_ENV, ...extra]) };
}

let current: TaskPolicy | undefined;

/** Set by the CLI from the operator's flags; every later loadTask follows it. */
export function setTaskPolicy(policy: TaskPolicy): void {
  current = policy;
}

export function taskPolicy(): TaskPolicy {
  return current ?? defaultTaskPolicy();
}

/** Throw a TaskError naming the file, the field, what was expected and what was found. */
export async function checkTaskPolicy(file: string, spec: TaskSpec, dir: string, policy = taskPolicy()): Promise<void> {
  const agent = spec.agent;
  if (agent.type === 'model' && agent.api_key_env !== undefined && !policy.allowedKeyEnv.has(agent.api_key_env)) {
    const allowed = [...policy.allowedKeyEnv].sort().join(', ');
    throw new TaskError('TASK_KEY_ENV_REFUSED', `${file}: field "agent.api_key_env": expected one of the variables the operator allows (${allowed}; allow more with --allow-env NAME or ${KEY_ENV_VARIABLE}), found ${agent.api_key_env}`, {
      context: { file, field: 'agent.api_key_env' },
    });
  }
  const image = spec.image;
  if (typeof image === 'object' && 'recipe' in image && !/^[a-z0-9][a-z0-9._-]*$/.test(image.recipe)) {
    throw new TaskError('TASK_PATH_REFUSED', `${file}: field "image.recipe": expected a recipe name under images/ (lower case, digits, . _ -), found ${image.recipe}`, { context: { file, field: 'image.recipe' } });
  }
  if (policy.allowHostPaths) return;
  const paths: [string, string][] = [];
  spec.files.forEach((entry, index) => { if ('from' in entry) paths.push([`files.${index}.from`, entry.from]); });
  if (spec.repo?.path !== undefined) paths.push(['repo.path', spec.repo.path]);
  if (spec.repo?.url !== undefined && !isRemoteGitUrl(spec.repo.url)) {
    throw new TaskError('TASK_PATH_REFUSED', `${file}: field "repo.url": expected a remote git URL (https://, http://, ssh://, git://, or user@host:path), found ${spec.repo.url} (a path or transport on this machine); pass --allow-host-paths to allow it`, {
      context: { file, field: 'repo.url' },
    });
  }
  for (const [field, value] of [['image', image], ['environment', spec.environment]] as const) {
    if (value && typeof value === 'object' && 'dockerfile' in value) {
      paths.push([`${field}.dockerfile`, value.dockerfile]);
      if (value.context !== undefined) paths.push([`${field}.context`, value.context]);
    }
  }
  for (const [field, value] of paths) await confine(file, field, value, dir);
}

async function confine(file: string, field: string, value: string, dir: string): Promise<void> {
  const full = resolve(dir, value);
  let why = isAbsolute(value) ? 'an absolute path' : outside(dir, full) ? 'it leads out of the folder' : null;
  if (!why) {
    // A symlink inside the folder may still point out of it: compare real paths.
    const root = await realpath(dir).catch(() => dir);
    const real = await realpath(full).catch(() => null);
    if (real !== null && outside(root, real)) why = `a symlink to ${real}`;
  }
  if (why) {
    throw new TaskError('TASK_PATH_REFUSED', `${file}: field "${field}": expected a path inside the task's folder ${dir}, found ${value} (${why}); pass --allow-host-paths to allow paths outside it`, {
      context: { file, field },
    });
  }
}

/**
 * A URL git fetches from another machine. `file://`, bare paths and other transports
 * (`ext::` runs a command) reach this machine: a task file may not choose them.
 */
export function isRemoteGitUrl(url: string): boolean {
  if (/^(https?|ssh|git|git\+ssh|ssh\+git):\/\/[^/]/i.test(url)) return true;
  // scp-like syntax: [user@]host:path, where host has no slash (git's own rule).
  return /^[\w.-]+@[\w.-]+:(?!\/\/)/.test(url);
}

function outside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
