// @needs docker
import { describe, expect, it } from 'vitest';
import { expectHarvesterHeld, runHostile, stdoutOf } from './state-helpers.js';

describe('hostile limits: timeouts, PIDs and disk', () => {
  it.concurrent('a timeout kills the timed-out command only: a background job of an earlier step survives', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'sleep 1000 & echo $! > /tmp/sleeper.pid; python3 -m http.server 8123 >/dev/null 2>&1 & echo $! > /tmp/server.pid; echo started' },
      { tool: 'bash', command: 'sleep 60', timeout_s: 1 },
      { tool: 'bash', command: 'kill -0 "$(cat /tmp/sleeper.pid)" && kill -0 "$(cat /tmp/server.pid)" && echo alive' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps[1]!.observation?.timed_out).toBe(true);
    expect(run.steps[1]!.observation?.session_restarted).toBe(false);
    expect(stdoutOf(run.steps[2])).toBe('alive\n');
  });

  it.concurrent.each(['host', 'exec'])('a backgrounded fork bomb is detected after its step, cleared, and the next step runs normally (%s reader)', async (reader) => {
    const run = await runHostile([
      { tool: 'bash', command: 'bomb() { bomb | bomb & }; bomb; echo launched' },
      // Builtins only (no fork), for up to 3 s: the bomb reaches the limit during this step or
      // before the next (steps cost ~1 ms, so the run could otherwise end before it does).
      { tool: 'bash', command: 'SECONDS=0; while (( SECONDS < 3 )); do :; done; echo waited' },
      { tool: 'bash', command: 'echo next' },
      { tool: 'bash', command: 'echo again' },
      { tool: 'bash', command: 'echo still' },
    ], { limits: { pids: 64 } }, { FORAGER_STATE_READER: reader });
    await expectHarvesterHeld(run);
    expect(run.steps[0]!.observation?.exit_code).toBe(0);
    // Cleared during the waiting step or at the boundary after it, whichever comes first.
    const cleared = run.steps.reduce((n, step) => n + (step.observation?.pids_cleared ?? 0), 0);
    expect(cleared).toBeGreaterThan(0);
    expect(stdoutOf(run.steps[2])).toBe('next\n');
    expect(run.steps[2]!.observation?.timed_out).toBe(false);
    expect(stdoutOf(run.steps[3])).toBe('again\n');
    expect(run.steps[3]!.observation?.duration_ms).toBeLessThan(5_000);
    expect(stdoutOf(run.steps[4])).toBe('still\n');
  });

  it.concurrent.each(['host', 'exec'])('`fallocate` past disk_mb ends the attempt as the agent\'s failure, saying why (%s reader)', async (reader) => {
    const run = await runHostile([
      { tool: 'bash', command: 'fallocate -l 5G /big && echo allocated' },
      { tool: 'bash', command: 'echo never' },
    ], { limits: { disk_mb: 100 } }, { FORAGER_STATE_READER: reader });
    await expectHarvesterHeld(run);
    expect(run.steps).toHaveLength(1);
    expect(run.steps[0]!.observation?.disk_limit_reached).toBe(true);
    expect(run.footer.exit_status).toBe('error');
    expect(run.footer.failure_kind).toBe('agent');
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
    expect(run.code).not.toBe(3);
  });

  it.concurrent('a slow filler is stopped while its step runs, not after it', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'for i in $(seq 1 200); do head -c 5M /dev/zero > /fill.$i; sleep 0.05; done; echo finished' },
    ], { limits: { disk_mb: 50, action_timeout_s: 120 } });
    await expectHarvesterHeld(run);
    const step = run.steps[0]!;
    expect(step.observation?.disk_limit_reached).toBe(true);
    expect(stdoutOf(step)).not.toContain('finished');
    expect(step.observation?.timed_out).toBe(false);
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
  });
});
