import { open, type FileHandle } from 'node:fs/promises';
import { lineLimit, LineTooLongError } from './limit.js';

const CHUNK = 64 * 1024;

/** The first line of a file (without its line ending), read in chunks up to the limit; '' for an empty file. */
export async function readFirstLine(path: string, maxLineBytes = lineLimit()): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, length);
      if (bytesRead === 0) break;
      const newline = buffer.subarray(0, bytesRead).indexOf(10);
      const end = newline === -1 ? bytesRead : newline;
      if (length + end > maxLineBytes) throw new LineTooLongError(path, 1, maxLineBytes);
      parts.push(buffer.subarray(0, end));
      length += end;
      if (newline !== -1) break;
    }
    return withoutCarriageReturn(Buffer.concat(parts, length)).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The last non-empty line of a file, read backwards in chunks up to the limit; undefined
 * when the file does not exist. A last line past the limit is refused with its number
 * (found by counting the file's newlines, only then).
 */
export async function readLastLine(path: string, maxLineBytes = lineLimit()): Promise<string | undefined> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!handle) return undefined;
  try {
    let end = (await handle.stat()).size;
    // Trailing line endings are not part of the last line.
    const tailBytes: Buffer[] = [];
    let length = 0;
    let trimming = true;
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      end = start;
      let view = buffer;
      if (trimming) {
        let stop = view.length;
        while (stop > 0 && (view[stop - 1] === 10 || view[stop - 1] === 13)) stop -= 1;
        view = view.subarray(0, stop);
        if (view.length === 0) continue;
        trimming = false;
      }
      const newline = view.lastIndexOf(10);
      const piece = newline === -1 ? view : view.subarray(newline + 1);
      if (length + piece.length > maxLineBytes) throw new LineTooLongError(path, await countLines(handle, start + (newline === -1 ? 0 : newline + 1)), maxLineBytes);
      tailBytes.unshift(piece);
      length += piece.length;
      if (newline !== -1) break;
    }
    return Buffer.concat(tailBytes, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The 1-based number of the line that holds byte `offset`: newlines before it, plus one. */
async function countLines(handle: FileHandle, offset: number): Promise<number> {
  let count = 1;
  const buffer = Buffer.alloc(CHUNK);
  for (let position = 0; position < offset;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, offset - position), position);
    if (bytesRead === 0) break;
    for (let at = buffer.indexOf(10); at !== -1 && at < bytesRead; at = buffer.indexOf(10, at + 1)) count += 1;
    position += bytesRead;
  }
  return count;
}

function withoutCarriageReturn(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes;
}
