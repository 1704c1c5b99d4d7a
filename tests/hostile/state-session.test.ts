// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harvest, readBatchStatus } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { testProvider } from '../helpers/docker.js';
import { ensureNoPerlImage } from '../helpers/images.js';
import { tempDir, writeTask } from '../helpers/tasks.js';
import { expectHarvesterHeld, runHostile, stdoutOf } from './state-helpers.js';

const stderrOf = (step: { observation?: { stderr: { text: string; tail?: string } } | null } | undefined) =>
  (step?.observation?.stderr.text ?? '') + (step?.observation?.stderr.tail ?? '');

// Attacks on the session protocol and on the sandbox's own processes, each through `forager
// run` in a child process (harvester alive within its memory bound, no container left), each
// asserting the record and how the run ended.
describe('hostile session: the wrapper runs nothing of the agent\'s, and endings are whoever caused them', () => {
  it.concurrent('traps, options and functions the agent left: a later `true` records nothing, `false` only its own trap', async () => {
    const run = await runHostile([
      { tool: 'bash', command: "trap 'echo ERR-TRAP >&2' ERR; trap 'echo EXIT-TRAP >&2' EXIT; trap 'echo RET >&2' RETURN; f() { :; }; g() { return 1; }; set -E -T -u -o pipefail; shopt -s extdebug; echo set" },
      { tool: 'bash', command: 'true' },
      { tool: 'bash', command: 'false' },
      { tool: 'bash', command: 'g; echo "after g"' },
      { tool: 'bash', command: 'set -x; echo traced' },
      { tool: 'submit' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect([stdoutOf(run.steps[1]), stderrOf(run.steps[1]), run.steps[1]!.observation?.exit_code]).toEqual(['', '', 0]);
    expect([stderrOf(run.steps[2]), run.steps[2]!.observation?.exit_code]).toEqual(['ERR-TRAP\n', 1]);
    // RETURN with -T fires as g returns; ERR for g's status; both the command's own doing.
    expect(stderrOf(run.steps[3])).toBe('RET\nERR-TRAP\n');
    expect(stdoutOf(run.steps[3])).toBe('after g\n');
    // xtrace shows the command one level down (`++`): it runs inside eval (docs/sandbox.md).
    expect(stderrOf(run.steps[4])).toBe('++ echo traced\n');
    for (const step of run.steps.slice(0, 5)) expect(step.observation?.session_restarted).toBe(false);
  });

  it.concurrent('`enable -n eval exec` with functions of those names, a function named /bin/sh, a nonce-hunting DEBUG trap: the record stays true', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'cd /srv; /bin/sh() { echo forged-sh; }; printf() { echo forged-printf; }; echo ok' },
      { tool: 'bash', command: `trap 'for fd in 1 2 250 251 252; do echo -n "\\036$BASH_COMMAND" >&$fd; done 2>/dev/null' DEBUG; (exit 5)` },
      { tool: 'bash', command: 'trap - DEBUG; enable -n exec eval; eval() { echo "agent eval: $*"; return 3; }; exec() { :; }' },
      { tool: 'bash', command: 'cd /; echo through' },
      { tool: 'submit' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect([run.steps[0]!.observation?.exit_code, run.steps[0]!.state?.cwd]).toEqual([0, '/srv']);
    expect([run.steps[1]!.observation?.exit_code, run.steps[1]!.state?.cwd]).toEqual([5, '/srv']);
    // The agent's eval now receives its commands: what it did is what is recorded.
    expect([stdoutOf(run.steps[3]), run.steps[3]!.observation?.exit_code, run.steps[3]!.state?.cwd]).toEqual(['agent eval: cd /; echo through\n', 3, '/srv']);
    for (const step of run.steps.slice(0, 4)) expect(step.observation?.session_restarted).toBe(false);
  });

  it.concurrent('`kill -9 -1` ends neither the sandbox nor the run: its step is recorded, the session and tool process start again and say so', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'cd /tmp; echo hello > /work/f.txt; sleep 1000 & echo started' },
      { tool: 'bash', command: 'kill -9 -1' },
      { tool: 'bash', command: 'pwd; cat /work/f.txt' },
      { tool: 'view', path: '/work/f.txt' },
      { tool: 'submit' },
    ]);
    await expectHarvesterHeld(run);
    expect(run.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(run.steps[1]!.observation).toMatchObject({ session_restarted: true, exit_code: null });
    expect(stdoutOf(run.steps[2])).toBe('/tmp\nhello\n');
    expect(run.steps[3]!.observation).toMatchObject({ exit_code: 0, tool_restarted: true });
    expect(stdoutOf(run.steps[3])).toBe('     1\thello\n');
  });

  it.concurrent('a fork bomb whose processes call themselves the dead-man\'s name is cleared; the sandbox lives', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'b() { exec -a "sleep 1860" bash -c "b() { b & b & wait; }; b"; }; b & echo launched' },
      // Until the bomb holds the limit (builtins only: forks fail by then).
      { tool: 'bash', command: 'for i in {1..300}; do read -r n < /sys/fs/cgroup/pids/pids.current; [ "$n" -ge 60 ] && break; read -r -t 0.1 <> <(:); done 2>/dev/null; echo filled' },
      { tool: 'bash', command: 'echo next' },
      { tool: 'submit' },
    ], { limits: { pids: 64 } });
    await expectHarvesterHeld(run);
    const cleared = run.steps.slice(0, 3).reduce((n, s) => n + (s.observation?.pids_cleared ?? 0), 0);
    expect(cleared).toBeGreaterThan(0);
    expect(stdoutOf(run.steps[2])).toBe('next\n');
    expect(run.footer.failure_kind).toBeNull();
  });

  it('a shell the agent removed ends the run as the agent\'s failure, final: one try, the step that broke it recorded, not redone on resume', async () => {
    const dir = await tempDir('forager-hostile-shell-');
    await writeTask([
      { tool: 'bash', command: 'mv /usr/bin/bash /usr/bin/bash.gone; echo moved' },
      { tool: 'bash', command: 'while :; do :; done', timeout_s: 2 },
      { tool: 'bash', command: 'echo never' },
    ], { id: 'no-shell' }, join(dir, 'tasks'));
    const options = { provider: testProvider(), paths: [join(dir, 'tasks')], out: join(dir, 'out'), concurrency: 1, attempts: 1, retries: 2, backoff: { baseMs: 10, capMs: 50 } };
    const first = await harvest(options);
    expect(first.outcomes).toHaveLength(1);
    expect(first.outcomes[0]).toMatchObject({ failureKind: 'agent', code: 'SHELL_BROKEN', retries: 0 });
    const trajectory = await readTrajectory(first.outcomes[0]!.path!);
    expect(trajectory.footer).toMatchObject({ exit_status: 'error', failure_kind: 'agent', error: { code: 'SHELL_BROKEN' } });
    expect(stdoutOf(trajectory.steps[0])).toBe('moved\n');
    expect(trajectory.steps[1]!.observation).toMatchObject({ timed_out: true, session_restarted: true });
    expect(trajectory.steps[2]!.failure).toMatchObject({ kind: 'agent', code: 'SHELL_BROKEN' });
    expect(await readBatchStatus(options.out)).toMatchObject({ complete: 1, redo: 0 });
    expect(await harvest(options)).toMatchObject({ skipped: 1, outcomes: [] });
  }, 300_000);

  it('on an image without perl (tini and a sleep dead-man), `kill -9 -1` ends the sandbox: the agent\'s failure, final, its step recorded', async () => {
    const image = await ensureNoPerlImage();
    const dir = await tempDir('forager-hostile-noperl-');
    await writeTask([
      { tool: 'bash', command: 'echo before' },
      { tool: 'bash', command: 'kill -9 -1' },
      { tool: 'bash', command: 'echo never' },
    ], { id: 'kill-all', image: { ref: image } }, join(dir, 'tasks'));
    const options = { provider: testProvider(), paths: [join(dir, 'tasks')], out: join(dir, 'out'), concurrency: 1, attempts: 1, retries: 2, backoff: { baseMs: 10, capMs: 50 } };
    const first = await harvest(options);
    expect(first.outcomes[0]).toMatchObject({ failureKind: 'agent', code: 'SANDBOX_ENDED_BY_AGENT', retries: 0 });
    const trajectory = await readTrajectory(first.outcomes[0]!.path!);
    expect(stdoutOf(trajectory.steps[0])).toBe('before\n');
    expect(trajectory.steps[1]!.observation).toMatchObject({ session_restarted: true });
    expect(trajectory.footer).toMatchObject({ failure_kind: 'agent', error: { code: 'SANDBOX_ENDED_BY_AGENT' } });
    expect(await readBatchStatus(options.out)).toMatchObject({ complete: 1, redo: 0 });
  }, 300_000);
});
