import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { readLines, readTextFile } from '../lines/index.js';
import type { ForagerError } from '../core/errors.js';
import { ImportError, isObject, type Json } from './errors.js';

/** One record of an input file and where it is (`file`, `file:line` or `file#row`) for messages. */
export interface InputRecord {
  value: Json;
  /** A record that could not be read (a line past the limit): reported, and the next one read. */
  error?: ForagerError;
  where: string;
  /** Line or row number when the file holds many records. */
  record?: number;
}

/**
 * The records of a file: a JSON document (one object, or an array of objects), JSON lines
 * (one object per line), or Parquet (one object per row, read a row group at a time).
 */
export async function* readRecords(path: string): AsyncGenerator<InputRecord> {
  if (path.endsWith('.parquet')) return yield* readParquet(path);
  if (path.endsWith('.jsonl')) return yield* readJsonLines(path);
  const text = await readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ImportError(`${path}: expected a JSON document: ${(cause as Error).message}`, { cause });
  }
  // A list of chat messages (objects with a role, none a record of its own) is one conversation, as peers' test data and SFT sets keep them.
  if (Array.isArray(value) && value.length > 0 && value.every(isMessage)) yield { value: { messages: value }, where: path };
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      if (!isObject(item)) throw new ImportError(`${path}[${i}]: expected an object, found ${Array.isArray(item) ? 'an array' : typeof item}`);
      yield { value: item, where: `${path}[${i}]`, record: i };
    }
  } else if (isObject(value)) yield { value, where: path };
  else throw new ImportError(`${path}: expected a JSON object or an array of objects`);
}

async function* readJsonLines(path: string): AsyncGenerator<InputRecord> {
  for await (const { text: line, number: lineNo, tooLong } of readLines(path, { tooLong: 'yield' })) {
    if (tooLong) {
      yield { value: {}, where: `${path}:${lineNo}`, record: lineNo, error: tooLong };
      continue;
    }
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new ImportError(`${path}:${lineNo}: not valid JSON`, { cause });
    }
    if (!isObject(value)) throw new ImportError(`${path}:${lineNo}: expected a JSON object`);
    yield { value, where: `${path}:${lineNo}`, record: lineNo };
  }
}

async function* readParquet(path: string): AsyncGenerator<InputRecord> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
    for (const [i, row] of rows.entries()) yield { value: row as Json, where: `${path}#${rowStart + i}`, record: rowStart + i };
    rowStart = rowEnd;
  }
}

function isMessage(item: unknown): boolean {
  return isObject(item) && typeof item['role'] === 'string' && !('messages' in item) && !('trajectory' in item) && !('instance_id' in item);
}

/** A message's text: a string, or the text parts of a content list (OpenAI/Anthropic style); null stays ''. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : isObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
  }
  return '';
}
