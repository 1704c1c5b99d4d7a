import { stat } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { hashTask, loadTask, TaskSpecSchema, type LoadedTask } from '../task/index.js';
import type { Header } from '../trajectory/schema.js';
import { ReplayRefusedError } from './errors.js';

/**
 * The task a trajectory ran, with the same hash: loaded from its recorded source file,
 * or (when that file is gone or changed) rebuilt from the spec in the header if the spec
 * places no files from disk. Anything else is refused: the files would not be the same.
 */
export async function loadRecordedTask(header: Header): Promise<LoadedTask> {
  const { source, hash, id } = header.task;
  let why: string;
  if (source && (await stat(source).catch(() => undefined))) {
    const task = await loadTask(source).catch((error: unknown) => {
      throw new ReplayRefusedError('TASK_CHANGED', 'task', `the task file ${source} no longer loads: ${(error as Error).message}`, { cause: error, context: { source } });
    });
    if (task.hash === hash) return task;
    why = `the task file ${source} changed since the run (hash ${short(task.hash)}, recorded ${short(hash)})`;
  } else {
    why = source ? `the task file ${source} is gone` : 'the trajectory names no task file';
  }
  const rebuilt = rebuildFromHeader(header);
  if (rebuilt && rebuilt.hash === hash) return rebuilt;
  throw new ReplayRefusedError('TASK_CHANGED', 'task', `${why}, and task ${id} cannot be rebuilt from the header alone (it places files from disk); restore the task file as it was to replay`, { context: { source: source ?? null, taskId: id } });
}

/** A task whose every file is inline in its spec is whole in the header. */
function rebuildFromHeader(header: Header): LoadedTask | null {
  const parsed = TaskSpecSchema.safeParse(header.task.spec);
  if (!parsed.success) return null;
  const spec = parsed.data;
  const files = [];
  for (const entry of spec.files) {
    if (!('content' in entry)) return null;
    const path = posix.isAbsolute(entry.path) ? entry.path : posix.join(spec.workdir, entry.path);
    files.push({ path, content: Buffer.from(entry.content, 'utf8'), mode: entry.mode ?? 0o644 });
  }
  const source = header.task.source ?? `${header.task.id}.task.json`;
  return { spec, source, dir: dirname(source), hash: hashTask(spec, files), files };
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
