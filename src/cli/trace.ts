import { join } from 'node:path';
import type { Command } from 'commander';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { sandboxProvider } from './sandbox-provider.js';
import { LOG_FILE, needsRedoOutcome, type HarvestResult } from '../scheduler/index.js';
import { findTaskFiles, loadTask } from '../task/index.js';
import {
  exportTraces, findTraceFiles, readTraceFile, renderTraceStats, resolveTraceLimits, startTraceWorker, summariseTraces, traceBatch, tracePair,
  TRACE_EXPORT_FORMATS, type TraceExportFormat, type TraceLimits,
} from '../trace/index.js';
import { nonNegativeInt, number, positiveInt, size as sizeOption } from './arguments.js';
import { EXIT } from './exit-codes.js';
import { createProgressView } from './harvest-progress.js';
import { createHarvestLogger } from './readable-log.js';
import { abortOnSignals } from './signals.js';

interface TraceCliOptions {
  out?: string;
  entry?: string;
  concurrency: number;
  retries: number;
  filter?: string;
  limit?: number;
  runId?: string;
  pair?: boolean;
  maxEvents?: number;
  maxInvocations?: number;
  reprLen?: number;
  maxBytes?: number;
  reprMs?: number;
  wallS?: number;
  seed?: number;
  includeTests?: boolean;
  replayCheck?: boolean;
  recipe: string;
  environment?: string[];
  logLevel: string;
  quiet?: boolean;
}

/** `forager trace`: Python execution traces of repository tasks; `trace export` and `trace stats` read them. */
export function registerTrace(program: Command): void {
  const trace = program
    .command('trace')
    .description('Trace the Python functions of repository tasks line by line while their tests (or --entry) run; see docs/traces.md')
    .argument('[paths...]', 'task files, folders holding task files, or repository folders (python recipe, pytest)')
    .option('-o, --out <dir>', 'batch folder: DIR/trajectories/<task>/0.jsonl traces, batch.jsonl, harvest.log')
    .option('--entry <command>', 'command to trace instead of the task\'s test command (run at the repository root)')
    .option('-c, --concurrency <n>', 'tasks traced at once', positiveInt, 2)
    .option('--retries <r>', 'retries per task for infrastructure failures', nonNegativeInt, 2)
    .option('--filter <glob>', 'only tasks whose id matches (* and ?)')
    .option('--limit <n>', 'at most this many tasks (after --filter)', positiveInt)
    .option('--run-id <id>', 'label for the containers (forager.run)')
    .option('--pair', 'mutate-fix pairs: trace the failing tests on the buggy and on the fixed code (DIR/<task>/buggy.jsonl, fixed.jsonl, divergence.json)')
    .option('--max-events <n>', 'events recorded per invocation (default 1000)', positiveInt)
    .option('--max-invocations <n>', 'invocations recorded per function and process, sampled by --seed (default 20)', positiveInt)
    .option('--repr-len <n>', 'characters of a repr before it is cut (default 200)', positiveInt)
    .option('--max-bytes <size>', 'bytes of trace per task (default 16MB)', sizeOption)
    .option('--repr-ms <ms>', 'time budget of a user-defined __repr__ (default 50)', number)
    .option('--wall-s <s>', 'wall time of the traced command (default 600)', number)
    .option('--seed <n>', 'sampling seed (default 0)', nonNegativeInt)
    .option('--recipe <name>', 'for a repository folder: the image recipe', 'python')
    .option('--environment <command...>', 'for a repository folder: commands installing its dependencies')
    .option('--include-tests', 'trace the test files\' own functions too')
    .option('--no-replay-check', 'skip the replay check (by default each recorded function is called again with its recorded literal arguments after tracing; each invocation keeps the verdict, the footer the summary)')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .option('-q, --quiet', 'only the summary')
    .action(async (paths: string[], options: TraceCliOptions) => {
      if (paths.length === 0) throw new TaskError('TRACE_PATHS_REQUIRED', 'trace: expected task files or folders (or a subcommand: export, stats, worker)');
      if (!options.out) throw new TaskError('OUT_REQUIRED', 'trace: --out <dir> is required');
      const limits = limitsFrom(options);
      await sandboxProvider().health();
      const provider = sandboxProvider();
      if (options.pair) return runPairs(paths, options.out, limits, options);
      const log = createHarvestLogger(join(options.out, LOG_FILE), options.logLevel);
      const view = createProgressView({ tty: process.stdout.isTTY === true, quiet: options.quiet === true });
      const controller = new AbortController();
      const release = abortOnSignals(controller, () => view.stop());
      try {
        const result = await traceBatch({
          provider,
          paths, out: options.out, concurrency: options.concurrency, retries: options.retries, filter: options.filter, limit: options.limit,
          runId: options.runId, signal: controller.signal, log, onEvent: (e) => view.onEvent(e), limits, entry: options.entry, replayCheck: options.replayCheck,
          sources: { recipe: options.recipe, environment: options.environment },
        });
        view.stop();
        process.stdout.write(formatTraceSummary(result, options.out));
        if (result.interrupted) process.exitCode = EXIT.interrupted;
        else if (result.rejected.length > 0 || result.outcomes.some(needsRedoOutcome) || result.outcomes.some((o) => o.status === 'error')) process.exitCode = EXIT.failed;
      } finally {
        view.stop();
        release();
      }
    });

  trace
    .command('export')
    .description('Export traces: cwm (CWM\'s trace layout, one JSONL row per invocation), jsonl or parquet; near-duplicates and replay mismatches dropped')
    .argument('<inputs...>', 'trace files or folders holding them')
    .option('-o, --out <file>', 'output file (required)')
    .option('--format <format>', `one of ${TRACE_EXPORT_FORMATS.join(', ')}`, 'cwm')
    .option('--keep-duplicates', 'keep invocations with the same function source and argument reprs')
    .option('--keep-mismatched', 'keep invocations the replay check disagreed with (nondeterministic, or a forged record)')
    .option('--tokens', 'cwm: add each row\'s token ids (CWM\'s special tokens, Llama 3\'s BPE for text)')
    .action(async (inputs: string[], _flags: unknown, command: Command) => {
      // `trace` has its own --out: commander hands it to the parent, so read both.
      const flags = command.optsWithGlobals<{ out?: string; format: string; keepDuplicates?: boolean; keepMismatched?: boolean; tokens?: boolean }>();
      if (!flags.out) throw new TaskError('OUT_REQUIRED', 'trace export: --out <file> is required');
      const out = flags.out;
      const files = await findTraceFiles(inputs);
      const result = await exportTraces(files, out, { format: flags.format as TraceExportFormat, keepDuplicates: flags.keepDuplicates, keepMismatched: flags.keepMismatched, tokens: flags.tokens });
      process.stdout.write(`wrote ${out}: ${result.rows} invocations from ${result.files} trace files (${result.duplicates} near-duplicates, ${result.replayMismatches} replay mismatches dropped)\n`);
    });

  trace
    .command('worker')
    .description('Take jobs from a queue (enqueued with `forager harvest <tasks> --queue URL`) and trace them; give trace jobs a Redis database of their own. Takes trace\'s --out, --concurrency, --retries, --run-id, --entry and limit options')
    .requiredOption('--queue <url>', 'Redis of the queue, e.g. redis://host:6379/1')
    .option('--grace <s>', 'on SIGINT/SIGTERM, let running traces finish this long before handing them back', number, 30)
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<TraceCliOptions & { queue: string; grace: number }>();
      if (!options.out) throw new TaskError('OUT_REQUIRED', 'trace worker: --out <dir> is required');
      const limits = limitsFrom(options);
      await sandboxProvider().health();
      const provider = sandboxProvider();
      const log = createHarvestLogger(join(options.out, 'logs', `trace-worker-${process.pid}.log`), options.logLevel);
      const worker = await startTraceWorker({
        provider,
        queue: options.queue, out: options.out, concurrency: options.concurrency, retries: options.retries, log, runId: options.runId,
        limits, entry: options.entry, replayCheck: options.replayCheck,
        onJob: (e) => log.info({ job: e.jobId, status: e.result?.status, error: e.error }, `job ${e.type}`),
      });
      process.stderr.write(`forager trace worker ${worker.id}: taking jobs (concurrency ${options.concurrency}, containers labelled ${worker.runId})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const { handedBack } = await worker.close(options.grace * 1000);
      process.stderr.write(`forager trace worker: stopped; ${handedBack} job(s) handed back to the queue\n`);
      await new Promise<void>((resolve) => log.flush(() => resolve()));
      process.exitCode = EXIT.interrupted;
    });

  trace
    .command('stats')
    .description('Functions, invocations, events and cut reasons of traces')
    .argument('<inputs...>', 'trace files or folders holding them')
    .option('--json', 'print JSON')
    .action(async (inputs: string[], flags: { json?: boolean }) => {
      const files = await Promise.all((await findTraceFiles(inputs)).map((f) => readTraceFile(f)));
      const stats = summariseTraces(files);
      process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : renderTraceStats(stats));
    });
}

function limitsFrom(options: TraceCliOptions): TraceLimits {
  return resolveTraceLimits({
    max_events: options.maxEvents, max_invocations: options.maxInvocations, repr_len: options.reprLen, max_bytes: options.maxBytes,
    repr_ms: options.reprMs, wall_s: options.wallS, seed: options.seed, include_tests: options.includeTests,
  });
}

async function runPairs(paths: string[], out: string, limits: TraceLimits, options: TraceCliOptions): Promise<void> {
  const log = createLogger({ level: options.logLevel });
  for (const file of await findTaskFiles(paths)) {
    const task = await loadTask(file);
    const pair = await tracePair(task, out, { limits, runId: options.runId, log, provider: sandboxProvider() });
    const first = pair.divergences.map((d) => `  ${d.test}: invocation ${d.invocation} of ${d.function}${d.event === null ? '' : `, event ${d.event}`}`);
    process.stdout.write(`${pair.task}: ${pair.buggy}, ${pair.fixed}\n${first.join('\n') || '  no divergence'}\n`);
    if (pair.footers.buggy.exit_status === 'error' || pair.footers.fixed.exit_status === 'error') process.exitCode = EXIT.failed;
  }
}

function formatTraceSummary(result: HarvestResult, out: string): string {
  const lines = [`traced ${result.planned} tasks (${result.skipped} already complete) in ${(result.elapsedMs / 1000).toFixed(1)} s into ${out}`];
  for (const o of [...result.outcomes].sort((a, b) => a.taskId.localeCompare(b.taskId))) {
    lines.push(`  ${o.taskId}: ${o.status}${o.code ? ` (${o.code}: ${o.message})` : ''}, ${o.steps} invocations${o.path ? ` → ${o.path}` : ''}`);
  }
  for (const r of result.rejected) lines.push(`  rejected ${r.source}: ${r.message}`);
  return `${lines.join('\n')}\n`;
}
