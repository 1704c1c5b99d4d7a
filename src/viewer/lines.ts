import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { lineLimit, LineTooLongError } from '../lines/index.js';

export { readFirstLine, readLastLine } from '../lines/index.js';

/** Byte ranges of every line of a file, found in one streaming pass. */
export interface LineIndex {
  size: number;
  mtimeMs: number;
  /** [start, end, 1-based line number] of each non-empty line. */
  lines: Array<[number, number, number]>;
}

export async function indexLines(path: string): Promise<LineIndex> {
  const info = await stat(path);
  const lines: Array<[number, number, number]> = [];
  let start = 0;
  let offset = 0;
  let number = 1;
  if (info.size === 0) return { size: 0, mtimeMs: info.mtimeMs, lines };
  for await (const chunk of createReadStream(path, { end: info.size - 1 }) as AsyncIterable<Buffer>) {
    let at = chunk.indexOf(10);
    let from = 0;
    while (at >= 0) {
      const end = offset + at;
      if (end > start) lines.push([start, end, number]);
      number += 1;
      start = end + 1;
      from = at + 1;
      at = chunk.indexOf(10, from);
    }
    offset += chunk.length;
  }
  if (offset > start) lines.push([start, offset, number]);
  return { size: info.size, mtimeMs: info.mtimeMs, lines };
}

/** Read lines [from, to) of an indexed file; a line past the limit is refused (LineTooLongError) before anything is read. */
export async function readIndexedLines(path: string, index: LineIndex, from: number, to: number, maxLineBytes = lineLimit()): Promise<string[]> {
  const ranges = index.lines.slice(from, to);
  if (ranges.length === 0) return [];
  const long = ranges.find(([a, b]) => b - a > maxLineBytes);
  if (long) throw new LineTooLongError(path, long[2], maxLineBytes);
  const handle = await open(path, 'r');
  try {
    const start = ranges[0]![0];
    const end = ranges.at(-1)![1];
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    return ranges.map(([a, b]) => buffer.subarray(a - start, b - start).toString('utf8'));
  } finally {
    await handle.close();
  }
}
