import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTrajectories } from '../../src/export/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { bashTrajectory, makeTempDir, richTrajectory, writeTrajectory } from './fixtures.js';

describe('exportTrajectories() - jsonl', () => {
  it('writes every complete trajectory of a batch folder as one line equal to the input', async () => {
    const dir = await makeTempDir();
    const batch = join(dir, 'batch');
    await writeTrajectory(join(batch, 'task-a', 'attempt-0.jsonl'), richTrajectory('t-a', 'pkg-1', 'org/pkg'));
    await writeTrajectory(join(batch, 'task-b', 'attempt-0.jsonl'), bashTrajectory('t-b', 'pkg-2', ['ls', 'pwd']));
    await writeTrajectory(join(batch, 'task-c', 'attempt-0.jsonl'), bashTrajectory('t-c', 'pkg-3', ['ls'], { footer: null }));
    await import('node:fs/promises').then((fs) => fs.writeFile(join(batch, 'manifest.jsonl'), '{"type":"plan"}\n'));

    const out = join(dir, 'out.jsonl');
    const report = await exportTrajectories([batch], { format: 'jsonl', out });

    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    const expected = await Promise.all(['task-a', 'task-b'].map((task) => readTrajectory(join(batch, task, 'attempt-0.jsonl'))));
    expect(lines).toEqual(expected.map(({ header, steps, footer }) => ({ header, steps, footer })));
    expect(report.read).toMatchObject({ files: 3, partial: 1, invalid: 0 });
    expect(report.exported).toBe(2);
  });

  it('keeps partial trajectories with a null footer when asked to', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'p.jsonl'), bashTrajectory('t-p', 'pkg-1', ['ls', 'cat x'], { footer: null }));
    const out = join(dir, 'out.jsonl');
    const report = await exportTrajectories([dir], { format: 'jsonl', out, includePartial: true });
    const [line] = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(report.exported).toBe(1);
    expect(line.footer).toBeNull();
    expect(line.steps.map((s: { action: { command: string } }) => s.action.command)).toEqual(['ls', 'cat x']);
  });

  it('counts an unreadable trajectory file as invalid and goes on', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'a.jsonl'), bashTrajectory('t-a', 'pkg-1', ['ls']));
    const good = await readFile(join(dir, 'a.jsonl'), 'utf8');
    const [header] = good.split('\n');
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'b.jsonl'), `${header}\n{"type":"step","index":"x"}\n{}\n`));
    const report = await exportTrajectories([dir], { format: 'jsonl', out: join(dir, 'out', 'o.jsonl') });
    expect(report.exported).toBe(1);
    expect(report.read.invalid).toBe(1);
    expect(report.read.invalidFiles[0]?.path).toBe(join(dir, 'b.jsonl'));
  });
});
