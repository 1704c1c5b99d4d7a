import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Write `before`, then one line of `bytes` × 'x' (written 1 MiB at a time, never held whole), then `after`. */
export async function writeLongLine(path: string, bytes: number, before = '', after = ''): Promise<void> {
  const out = createWriteStream(path);
  out.write(before);
  const block = Buffer.alloc(1024 * 1024, 'x');
  for (let left = bytes; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  }
  out.end(`\n${after}`);
  await once(out, 'finish');
}

/** Run `fn` with $FORAGER_MAX_LINE_BYTES set to `bytes`, restored after. */
export async function withLineLimit<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
  const before = process.env['FORAGER_MAX_LINE_BYTES'];
  process.env['FORAGER_MAX_LINE_BYTES'] = String(bytes);
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env['FORAGER_MAX_LINE_BYTES'];
    else process.env['FORAGER_MAX_LINE_BYTES'] = before;
  }
}
