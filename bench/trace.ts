import { testProvider } from '../tests/helpers/docker.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTask } from '../src/task/index.js';
import { DEFAULT_TRACE_LIMITS, resolveTraceLimits, traceBatch, traceTask, type TraceFooter } from '../src/trace/index.js';

const FIXTURE = fileURLToPath(new URL('../tests/fixtures/trace-stdlib', import.meta.url));

export interface TraceBenchResult {
  suite: string;
  runs: number;
  untracedMs: number;
  tracedMs: number;
  slowdown: number;
  /** pytest's own session time ("N passed in S s"), untraced and traced: the suite without interpreter start-up. */
  sessionUntracedS: number;
  sessionTracedS: number;
  invocations: number;
  events: number;
  eventsPerSecond: number;
  bytesPerEvent: number;
  /** The same suite with every invocation recorded (max_invocations unbounded): the tracer's worst case. */
  unsampled: { tracedMs: number; slowdown: number; invocations: number; events: number; eventsPerSecond: number };
  concurrency: number;
  batchTasks: number;
  batchSeconds: number;
  /** Peak resident set size of the process that ran the batch (the harvester), in MiB. */
  peakRssMb: number;
}

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * CPython's own tests of four stdlib modules (tests/fixtures/trace-stdlib), untraced and
 * traced with the default limits in alternation, in the same image: the slowdown is the
 * ratio of the test command's medians. Then `concurrency` copies of the task traced as a
 * batch while this process's RSS is sampled.
 */
export async function benchTrace(options: { runs?: number; concurrency?: number } = {}): Promise<TraceBenchResult> {
  const runs = options.runs ?? 3;
  const concurrency = options.concurrency ?? 4;
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-trace-'));
  try {
    const task = await loadTask(join(FIXTURE, 'task.yaml'));
    const limits = resolveTraceLimits({});
    const session = (footer: TraceFooter) => Number(/ in ([\d.]+)s/.exec(footer.command.log_tail)?.[1] ?? NaN);
    const untracedSession: number[] = [];
    const tracedSession: number[] = [];
    const untraced: number[] = [];
    const traced: number[] = [];
    let last: TraceFooter | undefined;
    const allRuns: TraceFooter[] = [];
    const unbounded = resolveTraceLimits({ max_invocations: 1_000_000_000, max_bytes: 1024 ** 3 });
    for (let i = 0; i < runs; i += 1) {
      const plain = await traceTask(task, { provider: testProvider(), out: join(dir, `plain-${i}.jsonl`), limits, untraced: true, runId: 'bench-trace' });
      untraced.push(plain.footer.command.duration_ms);
      untracedSession.push(session(plain.footer));
      const full = await traceTask(task, { provider: testProvider(), out: join(dir, `traced-${i}.jsonl`), limits, runId: 'bench-trace' });
      traced.push(full.footer.command.duration_ms);
      tracedSession.push(session(full.footer));
      last = full.footer;
      allRuns.push((await traceTask(task, { provider: testProvider(), out: join(dir, `unsampled-${i}.jsonl`), limits: unbounded, runId: 'bench-trace' })).footer);
    }
    const tracedMs = median(traced);
    const untracedMs = median(untraced);
    const all = allRuns.at(-1)!;
    const allMs = median(allRuns.map((f) => f.command.duration_ms));
    const unsampled = { tracedMs: allMs, slowdown: allMs / untracedMs, invocations: all.invocations, events: all.events, eventsPerSecond: all.events / (allMs / 1000) };

    const batch = join(dir, 'tasks');
    const spec = await readFile(join(FIXTURE, 'task.yaml'), 'utf8');
    for (let i = 0; i < concurrency; i += 1) {
      await cp(join(FIXTURE, 'repo'), join(batch, `copy-${i}`, 'repo'), { recursive: true });
      await writeFile(join(batch, `copy-${i}`, 'task.yaml'), spec.replace(/^id: trace-stdlib$/m, `id: trace-stdlib-${i}`));
    }
    // The batch runs in a fresh process (the CLI), so its peak RSS is the harvester's own.
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', self, '--child', batch, join(dir, 'out'), String(concurrency)], { maxBuffer: 1 << 20 });
    const child = JSON.parse(stdout.trim().split('\n').pop()!) as { maxRssMb: number; outcomes: string[] };
    if (child.outcomes.some((o) => o !== 'agent_finished')) throw new Error(`bench batch: ${child.outcomes.join(', ')}`);
    return {
      suite: 'CPython tests of textwrap, shlex, fnmatch, colorsys', runs, untracedMs, tracedMs, slowdown: tracedMs / untracedMs,
      sessionUntracedS: median(untracedSession), sessionTracedS: median(tracedSession),
      invocations: last!.invocations, events: last!.events, eventsPerSecond: last!.events / (tracedMs / 1000), bytesPerEvent: last!.bytes / Math.max(1, last!.events),
      unsampled, concurrency, batchTasks: concurrency, batchSeconds: (performance.now() - started) / 1000, peakRssMb: child.maxRssMb,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function printTraceBench(r: TraceBenchResult): void {
  const lines = [
    `trace: ${r.suite}, default limits (max_events ${DEFAULT_TRACE_LIMITS.max_events}, max_invocations ${DEFAULT_TRACE_LIMITS.max_invocations}, repr_len ${DEFAULT_TRACE_LIMITS.repr_len}), median of ${r.runs}`,
    `  test command untraced ${(r.untracedMs / 1000).toFixed(2)} s, traced ${(r.tracedMs / 1000).toFixed(2)} s: slowdown ${r.slowdown.toFixed(1)}x (target <= 15x)`,
    `  pytest session alone (no interpreter start-up): ${r.sessionUntracedS.toFixed(2)} s → ${r.sessionTracedS.toFixed(2)} s: ${(r.sessionTracedS / r.sessionUntracedS).toFixed(1)}x`,
    `  ${r.invocations} invocations, ${r.events} events: ${Math.round(r.eventsPerSecond)} events/s, ${Math.round(r.bytesPerEvent)} bytes/event`,
    `  every invocation recorded (no sampling): traced ${(r.unsampled.tracedMs / 1000).toFixed(2)} s, slowdown ${r.unsampled.slowdown.toFixed(1)}x, ${r.unsampled.invocations} invocations, ${r.unsampled.events} events, ${Math.round(r.unsampled.eventsPerSecond)} events/s`,
    `  batch of ${r.batchTasks} traced at concurrency ${r.concurrency}: ${r.batchSeconds.toFixed(1)} s, harvester (a fresh process) peak RSS ${Math.round(r.peakRssMb)} MiB (target <= 200)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// Child mode: trace one batch and print this process's peak RSS.
if (process.argv[2] === '--child') {
  const [batch, out, concurrency] = process.argv.slice(3) as [string, string, string];
  const result = await traceBatch({ provider: testProvider(), paths: [batch], out, concurrency: Number(concurrency), retries: 0, limits: resolveTraceLimits({}), runId: 'bench-trace' });
  process.stdout.write(`${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, outcomes: result.outcomes.map((o) => o.status) })}\n`);
}
