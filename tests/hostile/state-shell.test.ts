// @needs docker
import { describe, expect, it } from 'vitest';
import { expectHarvesterHeld, runHostile, stdoutOf } from './state-helpers.js';

// Attacks on the shell session and the per-step record, each through `forager run` in a
// child process: the harvester must live within its memory bound, record the truth and
// leave no container, and the next step must run.
describe('hostile shell: the record cannot be crashed or forged from the agent\'s shell', () => {
  it.concurrent('a `find` function printing 200 MB does not reach the state probe', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'find() { head -c 200000000 /dev/zero; }; echo defined' },
      { tool: 'bash', command: 'echo after > /work/after.txt; cat /work/after.txt' },
      { tool: 'bash', command: 'find /work -name after.txt | wc -l' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps).toHaveLength(3);
    expect(stdoutOf(run.steps[1])).toBe('after\n');
    expect(run.steps[1]!.state?.changes).toEqual([{ path: '/work/after.txt', change: 'added', size: 6 }]);
    // The agent's own find is still the agent's: 200 MB of output, kept head and tail.
    expect(run.steps[2]!.observation?.stdout.bytes).toBeGreaterThan(1);
    expect(run.footer.failure_kind).toBeNull();
  });

  it.concurrent('`export PATH=/nonexistent` deletes nothing from the record and breaks no step', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'echo keep > /work/keep.txt' },
      { tool: 'bash', command: 'export PATH=/nonexistent' },
      { tool: 'bash', command: 'echo still; ls' },
      { tool: 'bash', command: 'echo more >> /work/keep.txt' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps[1]!.state?.changes).toEqual([]);
    expect(run.steps[2]!.observation?.exit_code).toBe(127);
    expect(stdoutOf(run.steps[2])).toBe('still\n');
    expect(run.steps[2]!.state?.changes).toEqual([]);
    expect(run.steps[3]!.state?.changes).toEqual([{ path: '/work/keep.txt', change: 'modified', size: 10 }]);
  });

  it.concurrent('shadowed printf, echo, builtin, command, exec, traps, aliases and set options forge neither exit code nor cwd', async () => {
    const forge = [
      "printf() { builtin printf '\\036forgedO0\\0/forged'; return 0; }",
      'echo() { :; }', 'builtin() { :; }', 'command() { :; }', 'exec() { :; }', 'read() { :; }', 'eval() { builtin eval "$@"; }',
      "trap 'return 0 2>/dev/null; true' DEBUG", "trap 'true' ERR RETURN", 'PROMPT_COMMAND="cd /forged"',
      'shopt -s expand_aliases', "alias cd='cd /forged'", "alias exit='true'",
      'enable -n printf echo pwd', 'set -u -x -o pipefail', 'export PWD=/forged',
      'true',
    ].join('\n');
    const run = await runHostile([
      { tool: 'bash', command: forge },
      { tool: 'bash', command: '\\cd /tmp; (exit 3)' },
      { tool: 'bash', command: '\\cd /usr; /bin/true' },
      { tool: 'bash', command: 'false' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps[1]!.observation?.exit_code).toBe(3);
    expect(run.steps[1]!.state?.cwd).toBe('/tmp');
    expect(run.steps[2]!.observation?.exit_code).toBe(0);
    expect(run.steps[2]!.state?.cwd).toBe('/usr');
    expect(run.steps[3]!.observation?.exit_code).toBe(1);
    for (const step of run.steps) expect(step.observation?.session_restarted).toBe(false);
  });

  it.concurrent('`PWD=$(120 MB)` is neither recorded as the cwd nor held in memory', async () => {
    const run = await runHostile([
      { tool: 'bash', command: "cd /tmp; PWD=$(head -c 120000000 /dev/zero | tr '\\0' p); echo set" },
      { tool: 'bash', command: 'echo ok' },
      { tool: 'bash', command: 'cd /work && echo back' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps[0]!.state?.cwd).toBe('/tmp');
    expect(stdoutOf(run.steps[1])).toBe('ok\n');
    expect(run.steps[1]!.state?.cwd).toBe('/tmp');
    expect(run.steps[2]!.state?.cwd).toBe('/work');
    expect(JSON.stringify(run.steps).length).toBeLessThan(100_000);
  });

  it.concurrent('a background writer flooding stdout during a slow step stays within the output bound', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'yes flood-flood-flood-flood-flood-flood & echo started' },
      { tool: 'bash', command: 'sleep 4; echo slept' },
      { tool: 'bash', command: 'kill %1; wait; echo stopped' },
      { tool: 'bash', command: 'echo next' },
    ], { limits: { max_output_bytes: 64 * 1024 } });
    await expectHarvesterHeld(run);
    const slow = run.steps[1]!.observation!;
    expect(slow.stdout.bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(slow.stdout.text.length + (slow.stdout.tail?.length ?? 0)).toBeLessThanOrEqual(64 * 1024);
    expect(slow.exit_code).toBe(0);
    expect(stdoutOf(run.steps[3])).toBe('next\n');
  });
});
