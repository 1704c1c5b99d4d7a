// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptPath, type HarvestResult } from '../../src/scheduler/index.js';
import { loadMutationSource, mutateRepository } from '../../src/mutate/index.js';
import { loadTask } from '../../src/task/index.js';
import {
  buildCwmTrace, exportTraces, findTraceFiles, indexTrace, parseCwmTrace, readTraceFile, resolveTraceLimits, sourceLine, summariseTraces, traceBatch, tracePair,
  type PairResult, type TraceFile,
} from '../../src/trace/index.js';
import { query } from '../export/duckdb.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

const TASKS = ['tasks/fix-calculator', 'tasks/repo-fix', 'tests/fixtures/trace-stdlib'];
const runId = testRunId();
const limits = resolveTraceLimits({ wall_s: 300 });
let out: string;
let result: HarvestResult;
let files: Record<string, TraceFile>;
let pair: PairResult;

beforeAll(async () => {
  out = await tempDir('forager-trace-');
  result = await traceBatch({ provider: testProvider(), paths: TASKS, out, concurrency: 3, retries: 1, runId, limits, replayCheck: true });
  files = Object.fromEntries(await Promise.all(['fix-calculator', 'repo-fix', 'trace-stdlib'].map(async (id) => [id, await readTraceFile(attemptPath(out, id, 0))] as const)));
  pair = await tracePair(await loadTask('tasks/repo-fix/task.yaml'), join(out, 'pairs'), { provider: testProvider(), limits, runId });
});

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

describe('traceBatch() on the bundled repository tasks and CPython\'s own tests of four stdlib modules', () => {
  it('traces every task to a valid file: header (task, image, Python, limits), functions, invocations, footer', () => {
    expect(result.rejected).toEqual([]);
    expect(result.outcomes.map((o) => [o.taskId, o.status])).toEqual(expect.arrayContaining(TASKS.map((t) => [expect.any(String), 'agent_finished'])));
    for (const [id, file] of Object.entries(files)) {
      expect(file.header).toMatchObject({ format: 'forager.trace', task: { id }, python: expect.stringMatching(/^3\.11\./), limits });
      expect(file.header.image.id).toMatch(/^sha256:/);
      expect(file.footer).toMatchObject({ exit_status: 'agent_finished', invocations: file.invocations.length });
      for (const inv of file.invocations) expect(file.functions.has(inv.function)).toBe(true);
    }
    expect(files['trace-stdlib']!.footer!.command.log_tail).toMatch(/1\d\d passed/);
  });

  it('records repository functions only (no stdlib, site-packages or test files), each with the test that drove it', () => {
    const stdlib = files['trace-stdlib']!;
    expect(stdlib.invocations.length).toBeGreaterThan(300);
    expect(new Set(stdlib.invocations.map((i) => i.file))).toEqual(new Set(['stdlibcopy/textwrap.py', 'stdlibcopy/shlex.py', 'stdlibcopy/fnmatch.py', 'stdlibcopy/colorsys.py']));
    for (const inv of stdlib.invocations) expect(inv.test).toMatch(/^tests\/test_\w+\.py::/);
    const init = stdlib.invocations.find((i) => i.qualname === 'TextWrapper.__init__')!;
    expect(init.args.self).toBe('<stdlibcopy.textwrap.TextWrapper object>');
    expect(init).toMatchObject({ outcome: 'return', return: 'None' });
    const add = files['fix-calculator']!.invocations.find((i) => i.qualname === 'add' && i.test === 'tests/test_calc.py::test_add')!;
    expect(add).toMatchObject({ args: { a: '2', b: '3' }, outcome: 'return', return: '-1' });
    expect(add.events.map((e) => [e.event, sourceLine(files['fix-calculator']!.functions.get(add.function), e.line).trim()])).toEqual([
      ['call', 'def add(a, b):'], ['line', 'return a - b'], ['return', 'return a - b'],
    ]);
    const take = files['repo-fix']!.invocations.find((i) => i.qualname === 'take' && i.outcome === 'exception')!;
    expect(take.exception).toMatch(/^ValueError\('not enough apple/);
  });

  it('samples at most max_invocations per function and says how many calls there were', () => {
    const stdlib = files['trace-stdlib']!;
    const perFunction = new Map<string, number>();
    for (const inv of stdlib.invocations) perFunction.set(`${inv.pid}|${inv.function}`, (perFunction.get(`${inv.pid}|${inv.function}`) ?? 0) + 1);
    expect(Math.max(...perFunction.values())).toBeLessThanOrEqual(limits.max_invocations);
    const sampled = Object.values(stdlib.footer!.sampling).filter(([calls, recorded]) => calls > recorded);
    expect(sampled.length).toBeGreaterThan(0);
  });

  it('replays: calling each function again with its recorded literal arguments gives the recorded return value (>= 95%)', () => {
    let eligible = 0;
    let equal = 0;
    for (const file of Object.values(files)) {
      const replay = file.footer!.replay!;
      eligible += replay.eligible;
      equal += replay.equal;
    }
    expect(files['trace-stdlib']!.footer!.replay!.eligible).toBeGreaterThan(100);
    expect(equal / eligible).toBeGreaterThanOrEqual(0.95);
  });

  it('exports to CWM\'s layout that parses back to the same frames, stepping into recorded calls', async () => {
    const cwm = join(out, 'export', 'cwm.jsonl');
    const found = await findTraceFiles([out]);
    expect(found).toHaveLength(5); // three tasks, and the pair's two sides
    const report = await exportTraces(Object.values(files).map((f) => f.path), cwm, { format: 'cwm', keepDuplicates: true });
    const rows = (await readFile(cwm, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; complete: boolean });
    const all = Object.values(files).flatMap((f) => f.invocations.map((inv) => ({ f, inv })));
    expect(report).toMatchObject({ rows: all.length, replayMismatches: 0 });
    const byId = new Map(rows.map((r) => [r.id, r]));
    let nested = 0;
    for (const { f, inv } of all) {
      const trace = buildCwmTrace(inv, indexTrace(f.functions, f.invocations));
      const row = byId.get(`${f.header.trace_id}/${inv.id}`)!;
      expect(parseCwmTrace(row.text)).toEqual({ context: trace.context, frames: trace.frames, complete: inv.outcome !== 'unfinished' });
      if (trace.frames.length > inv.events.length) nested += 1;
    }
    expect(nested).toBeGreaterThan(10);
  });

  it('exports jsonl and Parquet with near-duplicates removed, and stats count functions, invocations, events and cuts', async () => {
    const traces = Object.values(files).map((f) => f.path);
    const jsonl = await exportTraces(traces, join(out, 'export', 'all.jsonl'), { format: 'jsonl' });
    const parquet = await exportTraces(traces, join(out, 'export', 'all.parquet'), { format: 'parquet' });
    const total = Object.values(files).reduce((n, f) => n + f.invocations.length, 0);
    expect(jsonl.duplicates).toBeGreaterThan(0);
    expect(jsonl.rows + jsonl.duplicates).toBe(total);
    const first = JSON.parse((await readFile(join(out, 'export', 'all.jsonl'), 'utf8')).split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ task: expect.any(String), source: expect.stringContaining('def '), events: expect.any(Array), args: expect.any(Object) });
    const rows = await query(`SELECT count(*) AS n, count(DISTINCT function) AS f FROM read_parquet('${join(out, 'export', 'all.parquet')}')`);
    expect(Number(rows[0]!.n)).toBe(parquet.rows);
    expect(parquet.rows).toBe(jsonl.rows);
    const stats = summariseTraces(Object.values(files));
    expect(stats).toMatchObject({ files: 3, tasks: 3, invocations: total, failed: 0 });
    expect(stats.events).toBe(Object.values(files).reduce((n, f) => n + f.invocations.reduce((m, i) => m + i.events.length, 0), 0));
    expect(stats.functions).toBe(Object.values(files).reduce((n, f) => n + f.functions.size, 0));
  });

  it('resumes: the same batch again keeps every finished trace', async () => {
    const again = await traceBatch({ provider: testProvider(), paths: TASKS, out, concurrency: 3, retries: 1, runId, limits });
    expect(again.skipped).toBe(3);
    expect(again.outcomes).toEqual([]);
  });
});

describe('traceBatch() on a repository folder', () => {
  it('makes it a task (python recipe, pytest) and traces its tests', async () => {
    const folder = join(out, 'folder');
    const done = await traceBatch({ provider: testProvider(), paths: ['tasks/fix-calculator/repo'], out: folder, concurrency: 1, retries: 0, runId, limits });
    expect(done.outcomes.map((o) => o.status)).toEqual(['agent_finished']);
    const file = await readTraceFile(attemptPath(folder, 'repo', 0));
    expect(file.header.root).toBe('/testbed');
    expect(file.invocations.find((i) => i.qualname === 'add' && i.args.a === '2')).toMatchObject({ return: '-1', test: 'tests/test_calc.py::test_add' });
  }, 120_000);
});

describe('tracePair()', () => {
  it('traces the failing test on the buggy and the fixed code and finds where they first diverge', async () => {
    expect(pair.tests).toEqual(['tests/test_stock.py::test_take_all']);
    const buggy = await readTraceFile(pair.buggy);
    const fixed = await readTraceFile(pair.fixed);
    expect(buggy.header.variant).toBe('buggy');
    expect(fixed.header.variant).toBe('fixed');
    expect(buggy.invocations.every((i) => i.test === 'tests/test_stock.py::test_take_all')).toBe(true);
    expect(buggy.invocations.find((i) => i.qualname === 'take')!.outcome).toBe('exception');
    expect(fixed.invocations.find((i) => i.qualname === 'take')).toMatchObject({ outcome: 'return', return: '0' });
    expect(pair.divergences).toEqual([expect.objectContaining({ test: 'tests/test_stock.py::test_take_all', function: 'inventory/stock.py:take', event: 3 })]);
    const d = pair.divergences[0]!;
    expect((d.buggy as { source: string }).source).toContain('raise ValueError');
    expect((d.fixed as { source: string }).source).toContain('items[name] = have - count');
    const summary = JSON.parse(await readFile(join(out, 'pairs', 'repo-fix', 'divergence.json'), 'utf8')) as { divergences: unknown[] };
    expect(summary.divergences).toEqual(JSON.parse(JSON.stringify(pair.divergences)));
  });
});

describe('tracePair() on tasks from `tasks mutate`', () => {
  it('writes buggy and fixed traces of each mutant\'s failing tests and where they diverge', async () => {
    const dir = join(out, 'mutants');
    const report = await mutateRepository(await loadMutationSource('tasks/repo-fix/task.yaml'), { provider: testProvider(), count: 2, seed: 3, out: dir, runId });
    expect(report.tasks).toHaveLength(2);
    for (const made of report.tasks) {
      const task = await loadTask(made.path);
      const result = await tracePair(task, join(out, 'mutant-pairs'), { provider: testProvider(), limits, runId });
      expect(result.tests).toEqual(task.spec.eval!.fail_to_pass);
      expect(result.footers.buggy.exit_status).toBe('agent_finished');
      expect(result.footers.fixed.exit_status).toBe('agent_finished');
      expect(result.footers.buggy.command.exit_code).not.toBe(0);
      expect(result.footers.fixed.command.exit_code).toBe(0);
      expect(result.divergences.length).toBe(result.tests.length);
      const mutation = task.spec.metadata.mutation as { function: string; file: string };
      expect(result.divergences[0]!.function).toBe(`${mutation.file}:${mutation.function}`);
    }
  }, 300_000);
});
