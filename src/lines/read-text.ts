import { open } from 'node:fs/promises';
import { InputTooLargeError, lineLimit } from './limit.js';

/**
 * A whole text file (a JSON document) as UTF-8, refused before it is read when it is
 * larger than the limit. The size is taken once from the open file and no more than
 * that is read, so a file that grows meanwhile cannot slip past the limit.
 */
export async function readTextFile(path: string, maxBytes = lineLimit()): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new InputTooLargeError(path, size, maxBytes);
    const buffer = Buffer.alloc(size);
    let length = 0;
    while (length < size) {
      const { bytesRead } = await handle.read(buffer, length, size - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}
