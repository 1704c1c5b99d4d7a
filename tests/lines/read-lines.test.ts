import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, lineLimit, LineTooLongError, readFirstLine, readLastLine, readLines, readTextFile, type NumberedLine } from '../../src/lines/index.js';
import { tempDir } from '../helpers/tasks.js';
import { writeLongLine } from './helpers.js';

async function collect(lines: AsyncIterable<NumberedLine>): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('readLines()', () => {
  it('numbers every line, empty ones included, drops a \\r before \\n, and keeps a last line without a newline', async () => {
    const path = join(await tempDir(), 'a.jsonl');
    await writeFile(path, 'one\r\n\ntwo\rstill two\nthree');
    expect(await collect(readLines(path))).toEqual([
      { text: 'one', number: 1 }, { text: '', number: 2 }, { text: 'two\rstill two', number: 3 }, { text: 'three', number: 4 },
    ]);
  });

  it('decodes a character split across two read chunks as one character', async () => {
    const path = join(await tempDir(), 'a.txt');
    // 65,535 ASCII bytes then "é" (2 bytes): the first 64 KiB chunk ends inside it.
    const line = `${'a'.repeat(64 * 1024 - 1)}é€😀`;
    await writeFile(path, `${line}\nnext\n`);
    expect((await collect(readLines(path))).map((l) => l.text)).toEqual([line, 'next']);
  });

  it('refuses a line past the limit with the file, the line number and the limit', async () => {
    const path = join(await tempDir(), 'a.jsonl');
    await writeFile(path, `short\n${'y'.repeat(5000)}\nafter\n`);
    const error = await collect(readLines(path, { maxLineBytes: 4096 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineTooLongError);
    expect(error).toMatchObject({ code: 'LINE_TOO_LONG', kind: 'task', path, line: 2, limit: 4096 });
    expect((error as Error).message).toBe(`${path}:2: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)`);
  });

  it('accepts a line of exactly the limit, with or without a \\r ending it', async () => {
    const path = join(await tempDir(), 'a.jsonl');
    await writeFile(path, `${'z'.repeat(100)}\r\n${'z'.repeat(100)}\n${'z'.repeat(100)}`);
    expect((await collect(readLines(path, { maxLineBytes: 100 }))).map((l) => l.text.length)).toEqual([100, 100, 100]);
    await expect(collect(readLines(path, { maxLineBytes: 99 }))).rejects.toThrow(/:1: line longer than 99 bytes/);
  });

  it('with tooLong: "yield", passes over the long line (numbered, flagged) and reads on', async () => {
    const path = join(await tempDir(), 'a.jsonl');
    await writeLongLine(path, 300 * 1024, 'first\n', 'last\n');
    const lines = await collect(readLines(path, { maxLineBytes: 1024, tooLong: 'yield' }));
    expect(lines.map((l) => [l.number, l.text, l.tooLong?.line])).toEqual([[1, 'first', undefined], [2, '', 2], [3, 'last', undefined]]);
  });

  it('refuses a 600 MB line at the default limit without holding it: no RangeError, memory within the limit', async () => {
    const path = join(await tempDir(), 'huge.jsonl');
    await writeLongLine(path, 600 * 1024 * 1024, '{"ok":1}\n');
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const error = await collect(readLines(path)).catch((e: unknown) => e).finally(() => clearInterval(timer));
    expect(error).toBeInstanceOf(LineTooLongError);
    expect((error as LineTooLongError).line).toBe(2);
    expect((error as Error).message).toContain(`:2: line longer than 128 MiB (${DEFAULT_MAX_LINE_BYTES} bytes)`);
    // The buffered part of the line never exceeds the limit plus a chunk (a string copy is not made).
    expect(peak - before).toBeLessThan(DEFAULT_MAX_LINE_BYTES + 64 * 1024 * 1024);
  }, 60_000);
});

describe('readFirstLine() / readLastLine()', () => {
  it('read the edges of a file and refuse an edge line past the limit, naming its number', async () => {
    const path = join(await tempDir(), 'a.jsonl');
    await writeFile(path, `head\r\nmiddle\n${'t'.repeat(2000)}\n\n`);
    expect(await readFirstLine(path)).toBe('head');
    expect(await readLastLine(path, 4096)).toBe('t'.repeat(2000));
    await expect(readLastLine(path, 1000)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', line: 3 });
    await writeFile(path, `${'h'.repeat(200 * 1024)}\nrest\n`);
    await expect(readFirstLine(path, 100 * 1024)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', line: 1 });
    expect(await readLastLine(join(path, '..', 'missing.jsonl'))).toBeUndefined();
  });
});

describe('readTextFile()', () => {
  it('refuses a document larger than the limit before reading it', async () => {
    const path = join(await tempDir(), 'doc.json');
    await writeFile(path, JSON.stringify({ a: 'b'.repeat(3000) }));
    expect(JSON.parse(await readTextFile(path, 4096))).toMatchObject({ a: expect.any(String) });
    await expect(readTextFile(path, 1000)).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE', message: expect.stringContaining(`${path}: 3008 bytes, larger than 1000 bytes`) });
  });
});

describe('lineLimit()', () => {
  it('is 128 MiB unless $FORAGER_MAX_LINE_BYTES says otherwise, and refuses a value that is no byte count', () => {
    expect(lineLimit({})).toBe(128 * 1024 * 1024);
    expect(lineLimit({ FORAGER_MAX_LINE_BYTES: '4096' })).toBe(4096);
    expect(() => lineLimit({ FORAGER_MAX_LINE_BYTES: '1e12' })).toThrow(/\$FORAGER_MAX_LINE_BYTES: expected a whole number of bytes from 1 to \d+, found "1e12"/);
    expect(() => lineLimit({ FORAGER_MAX_LINE_BYTES: 'lots' })).toThrow(/found "lots"/);
  });
});
