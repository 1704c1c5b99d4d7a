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
  invocations: number;
  events: number;
  eventsPerSecond: number;
  bytesPerEvent: number;
  concurrency: number;
  batchTasks: number;
  batchSeconds: number;
  /** Peak resident set size of this process (the harvester) during the batch, in MiB. */
  peakRssMb: number;
}

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
    const untraced: number[] = [];
    const traced: number[] = [];
    let last: TraceFooter | undefined;
    for (let i = 0; i < runs; i += 1) {
      const plain = await traceTask(task, { out: join(dir, `plain-${i}.jsonl`), limits, untraced: true, runId: 'bench-trace' });
      untraced.push(plain.footer.command.duration_ms);
      const full = await traceTask(task, { out: join(dir, `traced-${i}.jsonl`), limits, runId: 'bench-trace' });
      traced.push(full.footer.command.duration_ms);
      last = full.footer;
    }
    const tracedMs = median(traced);
    const untracedMs = median(untraced);

    const batch = join(dir, 'tasks');
    const spec = await readFile(join(FIXTURE, 'task.yaml'), 'utf8');
    for (let i = 0; i < concurrency; i += 1) {
      await cp(join(FIXTURE, 'repo'), join(batch, `copy-${i}`, 'repo'), { recursive: true });
      await writeFile(join(batch, `copy-${i}`, 'task.yaml'), spec.replace(/^id: trace-stdlib$/m, `id: trace-stdlib-${i}`));
    }
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const started = performance.now();
    try {
      await traceBatch({ paths: [batch], out: join(dir, 'out'), concurrency, retries: 0, limits, runId: 'bench-trace' });
    } finally {
      clearInterval(sampler);
    }
    return {
      suite: 'CPython tests of textwrap, shlex, fnmatch, colorsys', runs, untracedMs, tracedMs, slowdown: tracedMs / untracedMs,
      invocations: last!.invocations, events: last!.events, eventsPerSecond: last!.events / (tracedMs / 1000), bytesPerEvent: last!.bytes / Math.max(1, last!.events),
      concurrency, batchTasks: concurrency, batchSeconds: (performance.now() - started) / 1000, peakRssMb: peak / 2 ** 20,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function printTraceBench(r: TraceBenchResult): void {
  const lines = [
    `trace: ${r.suite}, default limits (max_events ${DEFAULT_TRACE_LIMITS.max_events}, max_invocations ${DEFAULT_TRACE_LIMITS.max_invocations}, repr_len ${DEFAULT_TRACE_LIMITS.repr_len}), median of ${r.runs}`,
    `  test command untraced ${(r.untracedMs / 1000).toFixed(2)} s, traced ${(r.tracedMs / 1000).toFixed(2)} s: slowdown ${r.slowdown.toFixed(1)}x (target <= 15x)`,
    `  ${r.invocations} invocations, ${r.events} events: ${Math.round(r.eventsPerSecond)} events/s, ${Math.round(r.bytesPerEvent)} bytes/event`,
    `  batch of ${r.batchTasks} traced at concurrency ${r.concurrency}: ${r.batchSeconds.toFixed(1)} s, harvester peak RSS ${Math.round(r.peakRssMb)} MiB (target <= 200)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
