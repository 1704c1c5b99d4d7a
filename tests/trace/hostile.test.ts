// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask, type LoadedTask } from '../../src/task/index.js';
import { CUT_MARKER, exportTraces, readTraceFile, resolveTraceLimits, traceTask, type TraceFile, type TraceLimits } from '../../src/trace/index.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

const runId = testRunId();
let out: string;
let task: LoadedTask;
const traces: Record<string, { file: TraceFile; ms: number; limits: TraceLimits }> = {};

async function trace(name: string, entry: string, overrides: Partial<TraceLimits> = {}): Promise<void> {
  const limits = resolveTraceLimits({ wall_s: 8, ...overrides });
  const started = Date.now();
  const result = await traceTask(task, { provider: testProvider(), out: join(out, `${name}.jsonl`), entry, limits, runId });
  traces[name] = { file: await readTraceFile(result.path), ms: Date.now() - started, limits };
}

const call = (fn: string) => `python3 -c "import hostile; hostile.${fn}()"`;

beforeAll(async () => {
  out = await tempDir('forager-trace-hostile-');
  task = await loadTask('tests/fixtures/trace-hostile/task.yaml');
  await Promise.all([
    trace('spin', call('spin')),
    trace('forkBomb', call('fork_bomb')),
    trace('everything', call('everything'), { wall_s: 60 }),
    trace('recursion', 'python3 -m pytest -q -p no:cacheprovider tests', { wall_s: 60 }),
    trace('chatter', call('chatter'), { wall_s: 60, max_invocations: 100_000, max_bytes: 200_000 }),
    trace('seedA', call('chatter'), { wall_s: 60, max_invocations: 8, seed: 1 }),
    trace('seedB', call('chatter'), { wall_s: 60, max_invocations: 8, seed: 1 }),
    trace('seedC', call('chatter'), { wall_s: 60, max_invocations: 8, seed: 2 }),
    trace('forge', call('forge'), { wall_s: 60 }),
    trace('forgeWithKey', call('forge_with_key'), { wall_s: 60 }),
  ]);
}, 300_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

const invocation = (name: string, qualname: string) => traces[name]!.file.invocations.find((i) => i.qualname === qualname)!;

describe('traceTask() under hostile code', () => {
  it('an infinite loop: lines cut at max_events, the run stopped at its wall time, the invocation kept as unfinished', () => {
    const { file, ms, limits } = traces.spin!;
    expect(file.footer).toMatchObject({ exit_status: 'wall_time', endings: { wall_time: 1 } });
    expect(file.footer!.cuts.wall_time).toBeGreaterThanOrEqual(1);
    const spin = invocation('spin', 'spin');
    expect(spin.outcome).toBe('unfinished');
    expect(spin.cut).toMatchObject({ reason: 'events', line: 10, after_events: limits.max_events });
    expect(spin.events).toHaveLength(limits.max_events);
    expect(ms).toBeLessThan(120_000);
  });

  it('a fork bomb: bounded by the wall time, the parent\'s trace still collected, forked children not traced', () => {
    const { file } = traces.forkBomb!;
    expect(file.footer).toMatchObject({ exit_status: 'wall_time', processes: 1, endings: { wall_time: 1 } });
    expect(invocation('forkBomb', 'fork_bomb').outcome).toBe('unfinished');
  });

  it('huge locals and reprs that sleep, loop or raise: cut or replaced, never waited for', () => {
    const { file, limits } = traces.everything!;
    expect(file.footer!.command.exit_code).toBe(0);
    expect(file.footer!.command.duration_ms).toBeLessThan(30_000);
    const huge = invocation('everything', 'huge');
    const locals = Object.assign({}, ...huge.events.map((e) => e.locals)) as Record<string, string>;
    for (const name of ['numbers', 'text']) {
      expect(locals[name]!.endsWith(CUT_MARKER)).toBe(true);
      expect(locals[name]!.length).toBeLessThanOrEqual(limits.repr_len + CUT_MARKER.length);
    }
    expect(locals.loop).toBe('[[...]]');
    expect(huge.return).toBe('11000000');
    const reprs = Object.assign({}, ...invocation('everything', 'reprs').events.map((e) => e.locals)) as Record<string, string>;
    expect(reprs).toMatchObject({
      slow: '<hostile.SlowRepr: repr timed out after 50 ms>',
      bad: '<hostile.BadRepr: repr raised RuntimeError>',
      looping: '<hostile.LoopRepr: repr timed out after 50 ms>',
      count: '4',
    });
    expect(file.footer!.cuts.repr_timeout).toBe(2);
  });

  it('threads, generators and exceptions caught and re-raised', () => {
    const worker = invocation('everything', 'worker');
    expect(worker).toMatchObject({ thread: 'helper', main_thread: false, outcome: 'return', return: '6' });
    const countdown = invocation('everything', 'countdown');
    expect(countdown.generator).toBe(true);
    expect(countdown.events.filter((e) => e.event === 'yield').map((e) => e.value)).toEqual(['3', '2', '1']);
    expect(countdown.events.filter((e) => e.event === 'resume')).toHaveLength(3);
    expect(countdown).toMatchObject({ outcome: 'return', return: 'None' });
    const failed = traces.everything!.file.invocations.find((i) => i.qualname === 'reraise' && i.outcome === 'exception')!;
    expect(failed.exception).toBe("ValueError('bad x')");
    expect(failed.events.filter((e) => e.event === 'exception').map((e) => e.value)).toEqual([
      "ZeroDivisionError('integer division or modulo by zero')", "ValueError('bad x')",
    ]);
    expect(traces.everything!.file.invocations.find((i) => i.qualname === 'reraise' && i.outcome === 'return')!.return).toBe('1');
  });

  it('deep recursion: invocations per function capped, tracing back on for the next test', () => {
    const { file, limits } = traces.recursion!;
    expect(file.footer!.command.log_tail).toMatch(/2 passed/);
    const deep = file.invocations.filter((i) => i.qualname === 'deep');
    expect(deep.length).toBeLessThanOrEqual(limits.max_invocations);
    const [calls, recorded] = Object.entries(file.footer!.sampling).find(([key]) => key.includes(':deep:'))![1];
    expect(calls).toBeGreaterThan(500);
    expect(recorded).toBe(deep.length);
    expect(file.footer!.cuts.tracer_lost).toBeGreaterThanOrEqual(1);
    expect(file.invocations.find((i) => i.qualname === 'recurse_forever')!.cut).toMatchObject({ reason: 'tracer_lost' });
    expect(file.invocations.find((i) => i.qualname === 'worker')).toMatchObject({ test: 'tests/test_recursion.py::test_after_recursion', return: '9' });
  });

  it('a chatty program: tracing stops at the byte limit, whole lines kept', () => {
    const { file, limits } = traces.chatter!;
    expect(file.footer!.endings).toEqual({ bytes: 1 });
    expect(file.footer!.cuts.bytes).toBeGreaterThanOrEqual(1);
    expect(file.footer!.bytes).toBeLessThanOrEqual(limits.max_bytes + 4096);
    expect(file.invocations.length).toBeGreaterThan(10);
  });

  it('samples invocations reproducibly by seed: the first half always, then spread over the calls', () => {
    const picked = (name: string) => traces[name]!.file.invocations.filter((i) => i.qualname === 'worker').map((i) => i.call_index);
    expect(picked('seedA')).toHaveLength(8);
    expect(picked('seedA')).toEqual(picked('seedB'));
    expect(picked('seedA')).not.toEqual(picked('seedC'));
    expect(picked('seedA').slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(Math.max(...picked('seedA'))).toBeGreaterThan(8);
  });

  it('refuses trace files and lines no tracer of the run wrote, and counts them: a file for a process that never ran (unsigned, or signed with a guessed key), lines slipped into a real file', () => {
    const { file } = traces.forge!;
    expect(file.footer!.refused).toEqual({ files: 2, lines: 10 });
    expect(file.footer!.processes).toBe(1);
    expect(file.invocations.map((i) => i.pid)).not.toContain(99999);
    expect(file.invocations.filter((i) => i.qualname === 'add').map((i) => i.return)).toEqual(['5']);
    expect(file.invocations.some((i) => i.return === 'FORGED-42')).toBe(false);
    expect(invocation('forge', 'forge')).toMatchObject({ outcome: 'return', return: '5' });
  });

  it('what signing cannot stop (code that reads the run\'s key) the replay check catches for a literal-argument function: kept with its verdict, left out of exports', async () => {
    const { file } = traces.forgeWithKey!;
    const forged = file.invocations.find((i) => i.return === 'FORGED-42')!;
    expect(forged).toMatchObject({ pid: 99997, qualname: 'add', replay: { status: 'mismatch', replayed: '5' } });
    expect(file.invocations.find((i) => i.qualname === 'add' && i.pid !== 99997)).toMatchObject({ return: '5', replay: { status: 'equal' } });
    expect(file.footer!.replay!.mismatches).toContainEqual(expect.objectContaining({ recorded: 'FORGED-42', replayed: '5' }));
    const mismatched = file.invocations.filter((i) => i.replay?.status === 'mismatch').length;
    for (const format of ['cwm', 'jsonl'] as const) {
      const path = join(out, `forged.${format}.jsonl`);
      const report = await exportTraces([file.path], path, { format, keepDuplicates: true });
      const ids = async () => (await readFile(path, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
      expect(report.replayMismatches).toBe(mismatched);
      expect(await ids()).not.toContain(`${file.header.trace_id}/${forged.id}`);
      const kept = await exportTraces([file.path], path, { format, keepDuplicates: true, keepMismatched: true });
      expect(kept.rows).toBe(report.rows + mismatched);
      expect(await ids()).toContain(`${file.header.trace_id}/${forged.id}`);
    }
  });
});
