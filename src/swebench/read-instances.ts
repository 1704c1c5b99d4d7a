import { access } from 'node:fs/promises';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { describeIssues } from '../core/describe-issues.js';
import { TaskError } from '../core/errors.js';
import { readLines, readTextFile } from '../lines/index.js';
import { SwebenchInstanceSchema, type SwebenchInstance } from './instances.js';

/** An instance and where it was read: `file:LINE` (JSONL) or `file: row N` (Parquet, 1-based). */
export interface SwebenchRow {
  instance: SwebenchInstance;
  where: string;
}

/**
 * Instances from a Hugging Face dataset file: JSONL (`.jsonl`, one per line), a JSON array
 * (`.json`) or Parquet (`.parquet`). A row that does not map is a task error naming the
 * line (or row) and the field.
 */
export async function readSwebenchRows(file: string): Promise<SwebenchRow[]> {
  const raw = file.endsWith('.parquet') ? await parquetRows(file) : await textRows(file);
  return raw.map(({ data, where }) => {
    const parsed = SwebenchInstanceSchema.safeParse(data);
    if (!parsed.success) throw describeIssues(where, parsed.error.issues, data);
    return { instance: parsed.data, where };
  });
}

/** The instances of a dataset file (see readSwebenchRows). */
export async function readSwebench(file: string): Promise<SwebenchInstance[]> {
  return (await readSwebenchRows(file)).map((r) => r.instance);
}

async function textRows(file: string): Promise<{ data: unknown; where: string }[]> {
  await access(file).catch((cause: NodeJS.ErrnoException) => {
    throw new TaskError('TASK_NOT_FOUND', `${file}: cannot read: ${cause.code ?? cause.message}`, { cause });
  });
  if (file.endsWith('.json')) {
    const text = await readTextFile(file);
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (cause) {
      throw new TaskError('TASK_SYNTAX', `${file}: not valid JSON: ${(cause as Error).message}`, { cause });
    }
    if (!Array.isArray(list)) throw new TaskError('TASK_SYNTAX', `${file}: expected a JSON array of instances`);
    return list.map((data, i) => ({ data, where: `${file}: item ${i + 1}` }));
  }
  const rows: { data: unknown; where: string }[] = [];
  // A line past the limit stops the import, naming the file and the line (LineTooLongError).
  for await (const { text: line, number } of readLines(file)) {
    if (line.trim() === '') continue;
    const where = `${file}:${number}`;
    try {
      rows.push({ data: JSON.parse(line), where });
    } catch (cause) {
      throw new TaskError('TASK_SYNTAX', `${where}: not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  return rows;
}

async function parquetRows(file: string): Promise<{ data: unknown; where: string }[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new TaskError(code === 'ENOENT' ? 'TASK_NOT_FOUND' : 'TASK_SYNTAX', `${file}: cannot read as Parquet: ${code ?? (cause as Error).message}`, { cause });
  }
  return rows.map((data, i) => ({ data, where: `${file}: row ${i + 1}` }));
}
