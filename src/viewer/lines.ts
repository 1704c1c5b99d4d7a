import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/** The first line of a file (without its newline), read in chunks; '' for an empty file. */
export async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      const newline = buffer.subarray(0, bytesRead).indexOf(10);
      if (newline >= 0) {
        parts.push(buffer.subarray(0, newline));
        break;
      }
      parts.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return Buffer.concat(parts).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The last non-empty line of a file, read backwards in chunks. */
export async function readLastLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    let end = size;
    let tail = Buffer.alloc(0);
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      tail = Buffer.concat([buffer, tail]);
      end = start;
      const trimmed = trimTrailingNewlines(tail);
      const newline = trimmed.lastIndexOf(10);
      if (newline >= 0) return trimmed.subarray(newline + 1).toString('utf8');
    }
    return trimTrailingNewlines(tail).toString('utf8');
  } finally {
    await handle.close();
  }
}

function trimTrailingNewlines(buffer: Buffer): Buffer {
  let end = buffer.length;
  while (end > 0 && (buffer[end - 1] === 10 || buffer[end - 1] === 13)) end -= 1;
  return buffer.subarray(0, end);
}

/** Byte ranges of every line of a file, found in one streaming pass. */
export interface LineIndex {
  size: number;
  mtimeMs: number;
  /** [start, end) of each non-empty line. */
  lines: Array<[number, number]>;
}

export async function indexLines(path: string): Promise<LineIndex> {
  const info = await stat(path);
  const lines: Array<[number, number]> = [];
  let start = 0;
  let offset = 0;
  if (info.size === 0) return { size: 0, mtimeMs: info.mtimeMs, lines };
  for await (const chunk of createReadStream(path, { end: info.size - 1 }) as AsyncIterable<Buffer>) {
    let at = chunk.indexOf(10);
    let from = 0;
    while (at >= 0) {
      const end = offset + at;
      if (end > start) lines.push([start, end]);
      start = end + 1;
      from = at + 1;
      at = chunk.indexOf(10, from);
    }
    offset += chunk.length;
  }
  if (offset > start) lines.push([start, offset]);
  return { size: info.size, mtimeMs: info.mtimeMs, lines };
}

/** Read lines [from, to) of an indexed file. */
export async function readIndexedLines(path: string, index: LineIndex, from: number, to: number): Promise<string[]> {
  const ranges = index.lines.slice(from, to);
  if (ranges.length === 0) return [];
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
