import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptySourceCounts, readTrajectories } from '../../src/export/source.js';
import { readListFile } from '../../src/export/exclusions.js';
import { withLineLimit } from '../lines/helpers.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

describe('readTrajectories()', () => {
  it('counts a trajectory with a line past the limit as invalid, naming the file, line and limit, and reads the others', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'a.jsonl'), bashTrajectory('a', 'task-a', ['ls']));
    await writeTrajectory(join(dir, 'b.jsonl'), bashTrajectory('b', 'task-b', [`echo ${'x'.repeat(8192)}`]));
    const counts = emptySourceCounts();
    const ids = await withLineLimit(4096, async () => {
      const out: string[] = [];
      for await (const t of readTrajectories([dir], {}, counts)) out.push(t.header.trajectory_id);
      return out;
    });
    expect(ids).toEqual(['a']);
    expect(counts).toMatchObject({ files: 2, invalid: 1, invalidFiles: [{ path: join(dir, 'b.jsonl'), error: `${join(dir, 'b.jsonl')}:2: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)` }] });
  });
});

describe('readListFile()', () => {
  it('refuses a list line past the limit with the file and line', async () => {
    const path = join(await makeTempDir(), 'exclude.txt');
    await writeFile(path, `django__django-1\n# comment\n${'y'.repeat(8192)}\n`);
    await withLineLimit(4096, async () => {
      await expect(readListFile(path, 'excluded tasks')).rejects.toMatchObject({ code: 'LINE_TOO_LONG', message: expect.stringContaining(`${path}:3: line longer than 4096 bytes`) });
    });
    expect(await readListFile(path, 'excluded tasks')).toEqual(['django__django-1', 'y'.repeat(8192)]);
  });
});
