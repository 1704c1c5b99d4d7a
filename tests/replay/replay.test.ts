// @needs docker
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRules, replayTrajectory, ReplayRefusedError } from '../../src/replay/index.js';
import { runTask } from '../../src/runner/index.js';
import { engine } from '../../src/docker/engine.js';
import { loadTask } from '../../src/task/index.js';
import type { Action } from '../../src/trajectory/schema.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

const runId = testRunId();

async function record(actions: Action[], extra: Record<string, unknown> = {}, dir?: string) {
  const folder = dir ?? (await tempDir());
  const task = await loadTask(await writeTask(actions, { limits: { wall_time_s: 120, action_timeout_s: 20 }, ...extra }, folder));
  const out = join(folder, 'recorded.jsonl');
  await runTask(task, { provider: testProvider(), out, runId });
  return { folder, out, task };
}

afterAll(async () => {
  expect(await containersOf(runId)).toEqual([]);
});

describe('replayTrajectory', () => {
  it('replays a deterministic task with zero divergence', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'data.txt'), 'alpha\nbeta\n');
    const { out } = await record([
      { tool: 'bash', command: 'cat data.txt && export N=3 && cd /tmp' },
      { tool: 'bash', command: 'pwd; echo "n=$N"; echo oops >&2; printf "\\x00\\xff" ; exit 4' },
      { tool: 'create', path: '/work/made.txt', content: 'made\n' },
      { tool: 'edit', path: '/work/made.txt', search: 'made', replace: 'edited' },
      { tool: 'bash', command: 'cd /work && seq 1 20000 && rm data.txt' },
      { tool: 'submit', result: 'done' },
    ], { files: [{ path: 'data.txt', from: 'data.txt' }] }, folder);

    const result = await replayTrajectory(out, { provider: testProvider(), out: join(folder, 'replay.jsonl'), runId });

    expect(result.comparison.compared).toBe(6);
    expect(result.comparison.divergent).toEqual([]);
    expect(result.run.footer.exit_status).toBe('submitted');
    expect(result.replayed.header.image.id).toBe(result.recorded.header.image.id);
    expect(result.replayed.steps.map((s) => s.replay_of)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.replayed.steps[1]!.observation!.exit_code).toBe(4);
  });

  it('diverges exactly at the steps that print the time or a random number, and not once normalised', async () => {
    const { folder, out } = await record([
      { tool: 'bash', command: 'echo stable' },
      { tool: 'bash', command: 'echo now=$(date +%s%N)' },
      { tool: 'bash', command: 'echo still stable' },
      { tool: 'bash', command: 'echo random=$RANDOM$RANDOM$RANDOM' },
      { tool: 'submit' },
    ]);

    const strict = await replayTrajectory(out, { provider: testProvider(), out: join(folder, 'strict.jsonl'), runId });
    expect(strict.comparison.divergent.map((d) => d.recordedIndex)).toEqual([1, 3]);
    expect(strict.comparison.divergent[0]!.differences.map((d) => d.field)).toEqual(['stdout']);

    const rulesFile = join(folder, 'noise.yaml');
    await writeFile(rulesFile, stringify({
      defaults: false,
      rules: [
        { name: 'clock', pattern: '^now=\\d+$', flags: 'm', replace: 'now=<NS>', fields: ['stdout'] },
        { name: 'bash-random', pattern: 'random=\\d+', replace: 'random=<N>' },
      ],
    }));
    const normalised = await replayTrajectory(out, { provider: testProvider(), out: join(folder, 'normalised.jsonl'), runId, rules: await loadRules(rulesFile) });
    expect(normalised.comparison).toMatchObject({ compared: 5, divergent: [], normalized: true });
  });

  it('refuses when the task file changed since the run', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'input.txt'), 'one\n');
    const { out } = await record([{ tool: 'bash', command: 'cat input.txt' }], { files: [{ path: 'input.txt', from: 'input.txt' }] }, folder);
    await writeFile(join(folder, 'input.txt'), 'two\n');

    const replay = replayTrajectory(out, { provider: testProvider(), out: join(folder, 'replay.jsonl'), runId });
    await expect(replay).rejects.toThrow(ReplayRefusedError);
    await expect(replay).rejects.toThrow(/changed since the run.*cannot be rebuilt from the header/s);
  });

  it('refuses when the recorded image is gone from the engine', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'Dockerfile'), `FROM forager-base:bookworm\nLABEL forager.test.throwaway=${randomUUID()}\n`);
    const { out, task } = await record([{ tool: 'bash', command: 'echo hi' }], { image: { dockerfile: 'Dockerfile' } }, folder);
    const { header } = await (await import('../../src/trajectory/reader.js')).readTrajectory(out);
    expect(header.image.id).toMatch(/^sha256:/);
    expect(task.spec.image).toEqual({ dockerfile: 'Dockerfile' });
    await engine().getImage(header.image.id).remove({ force: true });

    const replay = replayTrajectory(out, { provider: testProvider(), out: join(folder, 'replay.jsonl'), runId });
    await expect(replay).rejects.toMatchObject({ code: 'IMAGE_GONE' });
    await expect(replay).rejects.toThrow(`the recorded image ${header.image.id}`);
  });
});
