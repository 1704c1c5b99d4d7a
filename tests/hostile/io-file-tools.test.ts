// @needs docker
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureText } from '../../src/core/capture.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import type { Action, Step } from '../../src/trajectory/schema.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { ensureTestImages } from '../helpers/images.js';
import { runMeasuredCli, type MeasuredResult } from '../helpers/measured-cli.js';
import { tempDir, writeTask } from '../helpers/tasks.js';
import { runCli } from '../helpers/cli.js';
import { readBatchRecord } from '../../src/scheduler/index.js';

/** The harvester's peak RSS must stay under this whatever the agent does (it was 1.98 GB for one view of 400 MB). */
const RSS_BOUND_MB = 300;

const out = (step: Step) => captureText(step.observation!.stdout);
const err = (step: Step) => captureText(step.observation!.stderr);

/** Run a scripted task through `forager run` in a child process; its trajectory, its memory, its containers. */
async function runAttack(actions: Action[], extra: Record<string, unknown> = {}) {
  const dir = await tempDir('forager-hostile-io-');
  const task = await writeTask(actions, { limits: { action_timeout_s: 60, wall_time_s: 300 }, ...extra }, dir);
  const runId = testRunId();
  const file = join(dir, 'run.jsonl');
  const result = await runMeasuredCli(['run', task, '--out', file, '--run-id', runId]);
  const trajectory = await readTrajectory(file);
  return { result, trajectory, steps: trajectory.steps, runId };
}

function expectHarvesterHeld(result: MeasuredResult): void {
  expect(result.signal).toBeNull();
  expect(result.stderr).not.toMatch(/unexpected error|heap out of memory/i);
  expect(result.peakRssMb).not.toBeNull();
  expect(result.peakRssMb!).toBeLessThan(RSS_BOUND_MB);
  expect(result.polledHwmMb).toBeLessThan(RSS_BOUND_MB);
}

describe('hostile agent vs the file tools: the harvester stays small, the record true', () => {
  beforeAll(async () => {
    await ensureTestImages();
  });

  it('view of a 200M-newline file and of a 300 MB file, edit of a 300 MB file: refused or ranged, never read whole', async () => {
    const { result, trajectory, steps, runId } = await runAttack([
      { tool: 'bash', command: "head -c 200000000 /dev/zero | tr '\\0' '\\n' > nl.txt && fallocate -l 300M big.bin && sha256sum big.bin | cut -c1-64" },
      { tool: 'view', path: 'nl.txt' },
      { tool: 'view', path: 'nl.txt', start_line: 1, end_line: 3 },
      { tool: 'view', path: 'big.bin' },
      { tool: 'edit', path: 'big.bin', search: '\0\0', replace: 'x' },
      { tool: 'bash', command: 'sha256sum big.bin | cut -c1-64; wc -c < big.bin' },
      { tool: 'bash', command: 'echo next step runs' },
      { tool: 'submit', result: 'done' },
    ]);
    expectHarvesterHeld(result);
    expect(result.code).toBe(0);
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(steps[1]!.observation!.exit_code).toBe(1);
    expect(err(steps[1]!)).toMatch(/nl\.txt: the file is 200000000 bytes, over the \d+-byte limit of a whole-file view; view a line range/);
    expect(steps[1]!.failure).toMatchObject({ kind: 'agent', code: 'FILE_TOO_LARGE' });
    expect(steps[2]!.observation!.exit_code).toBe(0);
    expect(out(steps[2]!)).toBe('     1\t\n     2\t\n     3\t\n');
    expect(steps[3]!.failure).toMatchObject({ kind: 'agent', code: 'FILE_TOO_LARGE' });
    expect(steps[4]!.observation!.exit_code).toBe(1);
    expect(err(steps[4]!)).toMatch(/big\.bin: the file is 314572800 bytes, over the \d+-byte limit of edit; no change made/);
    expect(steps[4]!.failure).toMatchObject({ kind: 'agent', code: 'FILE_TOO_LARGE' });
    // The refused edit changed nothing: same bytes, same size.
    expect(out(steps[5]!)).toBe(`${out(steps[0]!)}314572800\n`);
    expect(out(steps[6]!)).toBe('next step runs\n');
    expect(await containersOf(runId)).toEqual([]);
  }, 180_000);

  it('a view under the cap with millions of lines is cut at the output cap, in the container', async () => {
    const { result, steps, runId } = await runAttack([
      { tool: 'bash', command: "head -c 10000000 /dev/zero | tr '\\0' '\\n' > nl10.txt" },
      { tool: 'view', path: 'nl10.txt' },
      { tool: 'submit' },
    ], { limits: { max_output_bytes: 65536, action_timeout_s: 60 } });
    expectHarvesterHeld(result);
    const view = steps[1]!.observation!;
    expect(view.exit_code).toBe(0);
    expect(captureText(view.stdout)).toMatch(/^ {5}1\t\n {5}2\t\n/);
    expect(captureText(view.stdout)).toContain('[view stopped after 65536 bytes; view a narrower line range (start_line, end_line)]');
    expect(await containersOf(runId)).toEqual([]);
  }, 120_000);

  it('export PATH=/x and functions named cat, head, sed, wc and find do not reach view, edit or create', async () => {
    const { result, trajectory, steps } = await runAttack([
      { tool: 'bash', command: "printf 'one\\ntwo\\n' > f.txt; mkdir -p d/e" },
      { tool: 'bash', command: 'export PATH=/x; for f in cat head sed wc find sort mkdir dirname tail; do eval "$f() { echo forged; return 0; }"; done; alias cat=false' },
      { tool: 'view', path: 'f.txt' },
      { tool: 'edit', path: 'f.txt', search: 'two', replace: 'three' },
      { tool: 'create', path: 'new/g.txt', content: 'created\n' },
      { tool: 'view', path: 'f.txt' },
      { tool: 'view', path: 'new/g.txt' },
      { tool: 'view', path: 'd' },
      { tool: 'submit' },
    ]);
    expectHarvesterHeld(result);
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(out(steps[2]!)).toBe('     1\tone\n     2\ttwo\n');
    expect(steps[3]!.observation!.exit_code).toBe(0);
    expect(steps[4]!.observation!.exit_code).toBe(0);
    expect(out(steps[5]!)).toBe('     1\tone\n     2\tthree\n');
    expect(out(steps[6]!)).toBe('     1\tcreated\n');
    expect(out(steps[7]!)).toBe('d\nd/e\n');
    for (const step of steps.slice(2)) expect(step.failure).toBeUndefined();
  }, 120_000);

  it('misuse (/proc/self/mem, a device, a FIFO, a directory, a missing file, an existing file) is an agent observation and the run goes on', async () => {
    const { result, trajectory, steps, runId } = await runAttack([
      { tool: 'bash', command: 'mkfifo pipe; mkdir dir; echo x > here' },
      { tool: 'view', path: '/proc/self/mem' },
      { tool: 'view', path: '/dev/zero' },
      { tool: 'view', path: 'pipe' },
      { tool: 'edit', path: 'pipe', search: 'a', replace: 'b' },
      { tool: 'edit', path: 'dir', search: 'a', replace: 'b' },
      { tool: 'view', path: 'missing' },
      { tool: 'create', path: 'here', content: 'y' },
      { tool: 'create', path: 'dir', content: 'y', overwrite: true },
      { tool: 'bash', command: 'cat here' },
      { tool: 'submit' },
    ]);
    expectHarvesterHeld(result);
    expect(result.code).toBe(0);
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    const codes = steps.slice(1, 9).map((s) => [s.observation!.exit_code, s.failure?.kind, s.failure?.code]);
    expect(codes).toEqual([
      [1, 'agent', 'FILE_UNREADABLE'],
      [1, 'agent', 'NOT_A_REGULAR_FILE'],
      [1, 'agent', 'NOT_A_REGULAR_FILE'],
      [1, 'agent', 'NOT_A_REGULAR_FILE'],
      [1, 'agent', 'IS_A_DIRECTORY'],
      [1, 'agent', 'FILE_NOT_FOUND'],
      [1, 'agent', 'FILE_EXISTS'],
      [1, 'agent', 'IS_A_DIRECTORY'],
    ]);
    expect(err(steps[1]!)).toMatch(/view: \/proc\/self\/mem: cannot read: .*Input\/output error/);
    expect(out(steps[9]!)).toBe('x\n');
    expect(await containersOf(runId)).toEqual([]);
  }, 120_000);

  it('coreutils replaced by the agent (endless output, a hang) do not reach the tool process: view and edit stay exact', async () => {
    const { result, trajectory, steps, runId } = await runAttack([
      { tool: 'bash', command: "echo small > small.txt; printf '#!/bin/sh\\nexec cat /dev/zero\\n' > /usr/local/bin/head; chmod +x /usr/local/bin/head" },
      { tool: 'view', path: 'small.txt' },
      { tool: 'bash', command: "for t in sed wc cat mkdir; do printf '#!/bin/sh\\nexec sleep 600\\n' > /usr/local/bin/$t; chmod +x /usr/local/bin/$t; done" },
      { tool: 'edit', path: 'small.txt', search: 'small', replace: 'big' },
      { tool: 'bash', command: "rm /usr/local/bin/*; /bin/cat small.txt" },
      { tool: 'submit' },
    ], { limits: { action_timeout_s: 5, wall_time_s: 120 } });
    expectHarvesterHeld(result);
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(out(steps[1]!)).toBe('     1\tsmall\n');
    expect(steps[3]!.observation!.exit_code).toBe(0);
    expect(out(steps[4]!)).toBe('big\n');
    expect(await containersOf(runId)).toEqual([]);
  }, 120_000);

  it('perl replaced by the agent and its tool process killed: the flood or hang is cut, killed, and the file tools go on by scripts, saying so', async () => {
    const { result, trajectory, steps, runId } = await runAttack([
      { tool: 'bash', command: "echo small > small.txt; mv /usr/bin/perl /usr/bin/perl.real; printf '#!/bin/sh\\nexec cat /dev/zero\\n' > /usr/bin/perl; chmod +x /usr/bin/perl" },
      { tool: 'bash', command: "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^/usr/bin/perl -e # forager.s tool' && kill -9 ${p#/proc/}; done; echo killed" },
      { tool: 'view', path: 'small.txt' },
      { tool: 'bash', command: "printf '#!/bin/sh\\nexec sleep 600\\n' > /usr/bin/perl" },
      { tool: 'edit', path: 'small.txt', search: 'small', replace: 'big' },
      { tool: 'bash', command: "n=0; for p in /proc/[0-9]*; do case \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" in 'cat /dev/zero'*|'sleep 600'*) n=$((n+1));; esac; done; echo $n; cat small.txt" },
      { tool: 'submit' },
    ], { limits: { action_timeout_s: 20, wall_time_s: 120 } });
    expectHarvesterHeld(result);
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(steps[2]!.observation).toMatchObject({ exit_code: 0, tool_restarted: true });
    expect(out(steps[2]!)).toBe('     1\tsmall\n');
    expect(steps[4]!.observation!.exit_code).toBe(0);
    // What the agent's "perl" started was killed; the edit went through.
    expect(out(steps[5]!)).toBe('0\nbig\n');
    expect(await containersOf(runId)).toEqual([]);
  }, 180_000);

  it('a batch holding the attacks completes, and harvesting it again resumes without redoing anything', async () => {
    const dir = await tempDir('forager-hostile-batch-');
    const tasks = join(dir, 'tasks');
    await writeTask([
      { tool: 'bash', command: "head -c 200000000 /dev/zero | tr '\\0' '\\n' > nl.txt" },
      { tool: 'view', path: 'nl.txt' },
      { tool: 'view', path: '/proc/self/mem' },
      { tool: 'submit' },
    ], { id: 'hostile-view' }, tasks);
    await writeTask([{ tool: 'bash', command: 'echo fine' }, { tool: 'submit' }], { id: 'plain' }, tasks);
    const batch = join(dir, 'out');
    const first = await runMeasuredCli(['harvest', tasks, '--out', batch, '--quiet']);
    expectHarvesterHeld(first);
    expect(first.code).toBe(0);
    const finished = (await readBatchRecord(batch)).filter((e) => e.type === 'finished');
    expect(finished).toHaveLength(2);
    const again = await runMeasuredCli(['harvest', tasks, '--out', batch, '--quiet']);
    expectHarvesterHeld(again);
    expect(again.code).toBe(0);
    expect((await readBatchRecord(batch)).filter((e) => e.type === 'finished')).toHaveLength(2);
    const status = JSON.parse((await runCli(['status', batch, '--json'])).stdout);
    expect(status).toMatchObject({ planned: 2, complete: 2 });
  }, 240_000);
});
