// @needs docker
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compareTrajectories } from '../../src/replay/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { runCli } from '../helpers/cli.js';
import { containersOf } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

const runIds = new Set<string>();

afterAll(async () => {
  for (const id of runIds) expect(await containersOf(id)).toEqual([]);
});

async function recordWithCli(folder: string, actions: unknown[], id: string): Promise<string> {
  const task = await writeTask(actions as never, { id, limits: { wall_time_s: 120, max_steps: 10 } }, folder);
  const out = join(folder, `${id}.jsonl`);
  const result = await runCli(['run', task, '--out', out, '--run-id', `test-cli-${id}`]);
  runIds.add(`test-cli-${id}`);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

describe('forager replay (CLI)', () => {
  it('--verify exits 1 at the step that prints the time, and 0 with a rules file that normalises it', async () => {
    const folder = await tempDir();
    const out = await recordWithCli(folder, [{ tool: 'bash', command: 'echo same' }, { tool: 'bash', command: 'date +%s%N' }, { tool: 'submit' }], 'clock');

    const strict = await runCli(['replay', out, '--verify', '--out', join(folder, 'a.jsonl')]);
    expect(strict.code, strict.stderr).toBe(1);
    expect(strict.stdout).toContain('diverged at step 1 (1 of 3 steps differ');
    expect(strict.stdout).toMatch(/--- recorded\/stdout\n\s+\+\+\+ replayed\/stdout\n\s+@@ -1,1 \+1,1 @@\n\s+-\d{19}\n\s+\+\d{19}/);

    const rules = join(folder, 'rules.json');
    await writeFile(rules, JSON.stringify({ defaults: false, rules: [{ pattern: '^\\d{19}$', flags: 'm', replace: '<NS>' }] }));
    const normalised = await runCli(['replay', out, '--verify', '--normalize', rules, '--out', join(folder, 'b.jsonl')]);
    expect(normalised.code, normalised.stdout + normalised.stderr).toBe(0);
    expect(normalised.stdout).toContain('identical: 3 steps replayed with the same observations, after normalisation');
  });

  it('refuses a rules file with an unknown key, naming the file and the field', async () => {
    const folder = await tempDir();
    const rules = join(folder, 'rules.yaml');
    await writeFile(rules, stringify({ rules: [{ pattern: '(', replace: 'x' }], extra: 1 }));
    const result = await runCli(['replay', join(folder, 'none.jsonl'), '--verify', '--normalize', rules]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${rules}: field`);
  });

  it('--until K --agent-file forks: the prefix is replayed, the new agent continues, the header links the parent', async () => {
    const folder = await tempDir();
    const parent = await recordWithCli(folder, [
      { tool: 'bash', command: 'echo first > state.txt' },
      { tool: 'bash', command: 'echo second >> state.txt && export MARK=kept' },
      { tool: 'bash', command: 'echo parent-only >> state.txt' },
      { tool: 'submit', result: 'parent' },
    ], 'forkable');
    const agentFile = join(folder, 'agent.yaml');
    await writeFile(agentFile, stringify({ type: 'scripted', actions: [{ tool: 'bash', command: 'cat state.txt; echo "mark=$MARK"' }, { tool: 'submit', result: 'child' }] }));
    const out = join(folder, 'child.jsonl');

    const result = await runCli(['replay', parent, '--until', '1', '--agent-file', agentFile, '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('prefix: 2 replayed steps matched the parent');

    const child = await readTrajectory(out);
    const recorded = await readTrajectory(parent);
    expect(child.header.parent).toEqual({ trajectory_id: recorded.header.trajectory_id, path: parent, step: 1 });
    expect(child.header.agent).toMatchObject({ type: 'fork', replay: { type: 'replay', until: 1 }, then: { type: 'scripted' } });
    expect(child.steps.map((s) => [s.index, s.replay_of])).toEqual([[0, 0], [1, 1], [2, undefined], [3, undefined]]);
    expect(child.steps[2]!.observation!.stdout.text).toBe('first\nsecond\nmark=kept\n');
    expect(child.footer).toMatchObject({ exit_status: 'submitted', submission: 'child', steps: 4 });
  });

  it('run --from re-runs the recorded task as the next attempt of the same run, on the same image', async () => {
    const folder = await tempDir();
    const first = await recordWithCli(folder, [{ tool: 'bash', command: 'uname -s; ls /work' }, { tool: 'submit' }], 'again');
    const out = join(folder, 'again-1.jsonl');

    const result = await runCli(['run', '--from', first, '--out', out]);
    expect(result.code, result.stderr).toBe(0);

    const [a, b] = [await readTrajectory(first), await readTrajectory(out)];
    expect(b.header).toMatchObject({ run_id: a.header.run_id, attempt: a.header.attempt + 1, limits: a.header.limits, task: { hash: a.header.task.hash } });
    expect(b.header.image.id).toBe(a.header.image.id);
    expect(b.header.agent).toEqual(a.header.agent);
    expect(compareTrajectories(a.steps, b.steps).divergent).toEqual([]);
  });
});
