import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { TaskError } from '../core/errors.js';
import { readConfigFile } from '../core/config-file.js';
import { checkTaskPolicy } from './policy.js';
import { TaskSpecSchema, type TaskSpec } from './spec.js';

export interface TaskFile {
  /** Absolute path inside the container. */
  path: string;
  content: Buffer;
  mode: number;
}

export interface LoadedTask {
  spec: TaskSpec;
  /** The task file this came from (absolute). */
  source: string;
  dir: string;
  /** sha256 over the canonical spec and every file it places. */
  hash: string;
  files: TaskFile[];
}

const TASK_FILE = /^(task|.+\.task)\.(ya?ml|json)$/;

/** Whether a file name is a task file inside a folder (task.yaml, foo.task.json…). */
export function isTaskFileName(name: string): boolean {
  return TASK_FILE.test(name);
}

/** Parse and validate one task file, reading every file it places. */
export async function loadTask(file: string): Promise<LoadedTask> {
  const source = resolve(file);
  const { data: spec } = await readConfigFile(file, TaskSpecSchema, { what: 'task file', codePrefix: 'TASK' });
  const dir = dirname(source);
  await checkTaskPolicy(file, spec, dir);
  const files = await resolveFiles(file, spec, dir);
  return { spec, source, dir, hash: hashTask(spec, files), files };
}

/** Expand files, folders and task files into the list of task files they name, sorted. */
export async function findTaskFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new TaskError('TASK_NOT_FOUND', `${path}: no such file or folder`, { context: { file: path } });
    if (info.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (isTaskFileName(entry.name)) out.push(path);
  }
  return out;
}

async function resolveFiles(file: string, spec: TaskSpec, dir: string): Promise<TaskFile[]> {
  const out: TaskFile[] = [];
  for (const [index, entry] of spec.files.entries()) {
    const target = posix.isAbsolute(entry.path) ? entry.path : posix.join(spec.workdir, entry.path);
    if ('content' in entry) {
      out.push({ path: target, content: Buffer.from(entry.content, 'utf8'), mode: entry.mode ?? 0o644 });
      continue;
    }
    const from = resolve(dir, entry.from);
    const info = await stat(from).catch(() => undefined);
    if (!info) {
      throw new TaskError('TASK_INVALID', `${file}: field "files.${index}.from": expected a file or folder next to the task, found nothing at ${from}`, { context: { file } });
    }
    if (info.isDirectory()) {
      for (const path of await listFiles(from)) {
        const content = await readFile(path);
        const mode = (await stat(path)).mode & 0o777;
        out.push({ path: posix.join(target, relative(from, path).split('\\').join('/')), content, mode });
      }
    } else {
      out.push({ path: target, content: await readFile(from), mode: info.mode & 0o777 });
    }
  }
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name === '__pycache__' || entry.name === '.pytest_cache') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Stable hash of what the task is: the canonical spec and the bytes of its files. */
export function hashTask(spec: TaskSpec, files: TaskFile[]): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson(spec));
  for (const f of files) {
    hash.update(`\0${f.path}\0${f.mode}\0`);
    hash.update(f.content);
  }
  return hash.digest('hex');
}

/** JSON with object keys sorted, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
