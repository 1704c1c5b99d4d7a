import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../../src/trace/index.js';
import { tempDir } from '../helpers/tasks.js';
import { withLineLimit } from '../lines/helpers.js';
import { fn, footer, header, invocation, writeSampleTrace } from './fixtures.js';

describe('readTraceFile()', () => {
  it('reads a trace line by line, and refuses a line past the limit with the file, line and limit', async () => {
    const dir = await tempDir();
    const sample = await writeSampleTrace(dir);
    expect((await readTraceFile(sample)).invocations).toHaveLength(2);
    const path = join(dir, 'long.jsonl');
    await writeFile(path, [header, fn, { ...invocation, return: 'r'.repeat(8192) }, footer].map((l) => JSON.stringify(l)).join('\n'));
    await withLineLimit(4096, async () => {
      await expect(readTraceFile(path)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', message: expect.stringContaining(`${path}:3: line longer than 4096 bytes`) });
    });
  });

  it('passes over a torn last line, and refuses one followed by more lines', async () => {
    const dir = await tempDir();
    const path = join(dir, 'torn.jsonl');
    await writeFile(path, `${JSON.stringify(header)}\n${JSON.stringify(fn)}\n{"type":"invoc`);
    expect((await readTraceFile(path)).footer).toBeUndefined();
    await writeFile(path, `${JSON.stringify(header)}\n{"type":"invoc\n${JSON.stringify(fn)}\n`);
    await expect(readTraceFile(path)).rejects.toThrow(`${path}:2: expected a JSON object, found unparseable text`);
  });
});
