import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startViewer } from '../../src/viewer/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from '../export/fixtures.js';
import { withLineLimit } from '../lines/helpers.js';

describe('the viewer and over-long lines', () => {
  it('lists a trajectory whose header is past the limit with why, and answers 422 naming the file and line for a step past it', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'ok.jsonl'), bashTrajectory('ok', 'task-ok', ['ls', `echo ${'x'.repeat(8192)}`, 'pwd']));
    await writeTrajectory(join(dir, 'wide.jsonl'), bashTrajectory('wide', 'x'.repeat(8192), ['ls']));
    await withLineLimit(4096, async () => {
      const viewer = await startViewer({ root: dir, port: 0 });
      try {
        const list = await (await fetch(`${viewer.url}api/trajectories`)).json() as { items: { id: string; error: string | null }[] };
        expect(list.items.map((i) => i.id)).toEqual(['ok.jsonl', 'wide.jsonl']);
        expect(list.items[1]!.error).toBe(`LINE_TOO_LONG: ${join(dir, 'wide.jsonl')}:1: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)`);
        const page = await fetch(`${viewer.url}api/steps?id=ok.jsonl&offset=0&limit=3`);
        expect(page.status).toBe(422);
        expect(await page.json()).toEqual({ error: `${join(dir, 'ok.jsonl')}:3: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)` });
        const step = await (await fetch(`${viewer.url}api/step?id=ok.jsonl&n=2`)).json() as { action: { command: string } };
        expect(step.action.command).toBe('pwd');
      } finally {
        await viewer.close();
      }
    });
  });
});
