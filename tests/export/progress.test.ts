import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createExportProgress } from '../../src/cli/export-progress.js';
import { exportTrajectories } from '../../src/export/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

/** A stream that says it is a terminal, collecting what is drawn on it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
  Object.assign(stream, { isTTY: true, columns: 200, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => text };
}

describe('export progress on a terminal', () => {
  it('draws files done of the total, trajectories/s, bytes read, exported and ETA, ending at the total', async () => {
    const dir = await makeTempDir();
    for (let i = 0; i < 5; i += 1) await writeTrajectory(join(dir, 'in', `t${i}.jsonl`), bashTrajectory(`t${i}`, `x-${i}`, ['make test', `echo ${i}`], { repo: 'org/x' }));
    const terminal = fakeTerminal();
    const progress = await createExportProgress([join(dir, 'in')], true, { stream: terminal.stream });
    await exportTrajectories([join(dir, 'in')], { format: 'jsonl', out: join(dir, 'out.jsonl'), onProgress: progress.onProgress }).finally(() => progress.stop());
    const drawn = terminal.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(drawn).toMatch(/5\/5 files \| \d+ trajectories\/s \| \d+ KB read \| exported 5 \| ETA \d+s/);
  });

  it('draws nothing when the output is not a terminal', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'in', 't.jsonl'), bashTrajectory('t', 'x-1', ['ls'], { repo: 'org/x' }));
    const terminal = fakeTerminal();
    const progress = await createExportProgress([join(dir, 'in')], false, { stream: terminal.stream });
    await exportTrajectories([join(dir, 'in')], { format: 'jsonl', out: join(dir, 'out.jsonl'), onProgress: progress.onProgress }).finally(() => progress.stop());
    expect(terminal.text()).toBe('');
  });
});
