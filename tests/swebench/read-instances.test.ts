import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSwebenchRows } from '../../src/swebench/index.js';
import { tempDir } from '../helpers/tasks.js';
import { withLineLimit } from '../lines/helpers.js';

const instance = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  instance_id: id, repo: 'o/r', base_commit: 'abc', problem_statement: 'fix it', patch: 'diff', FAIL_TO_PASS: '["t"]', ...extra,
});

describe('readSwebenchRows()', () => {
  it('refuses an instance line past the line limit, naming the file, the line and the limit', async () => {
    const file = join(await tempDir(), 'instances.jsonl');
    await writeFile(file, `${instance('a-1')}\n${instance('a-2', { hints_text: 'h'.repeat(10_000) })}\n`);
    await withLineLimit(4096, async () => {
      await expect(readSwebenchRows(file)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', message: expect.stringMatching(/instances\.jsonl:2: line longer than 4096 bytes/) });
    });
    expect((await readSwebenchRows(file)).map((r) => r.where)).toEqual([`${file}:1`, `${file}:2`]);
  });

  it('refuses a JSON array file past the limit before reading it', async () => {
    const file = join(await tempDir(), 'instances.json');
    await writeFile(file, `[${instance('a-1', { hints_text: 'h'.repeat(10_000) })}]`);
    await withLineLimit(4096, async () => {
      await expect(readSwebenchRows(file)).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE', message: expect.stringMatching(/instances\.json: \d+ bytes, larger than 4096 bytes/) });
    });
  });
});
