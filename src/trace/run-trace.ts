import { randomBytes, randomUUID } from 'node:crypto';
import type { PreparedImage, ProvidedSandbox, SandboxProvider } from '../sandbox/index.js';
import { AbortedError, TaskError, toForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { VERSION } from '../core/version.js';
import { applyPatch, runIn } from '../eval/index.js';
import { sandboxEnv } from '../runner/index.js';
import { SANDBOX_HOSTNAME } from '../runner/environment.js';
import { placeFiles, runSetup } from '../runner/prepare.js';
import { DEFAULT_LIMITS, type LoadedTask } from '../task/index.js';
import { collectTraces, writeCollected } from './collect.js';
import { clearProcesses, installTracer, replayCheck, runTraced, WORK } from './container.js';
import { TRACE_FORMAT, TRACE_VERSION, type ReplayVerdict, type TraceFooter, type TraceHeader, type TraceLimits } from './schema.js';
import { TraceWriter } from './trace-writer.js';

export const DEFAULT_TRACE_COMMAND = 'python3 -m pytest -p no:cacheprovider -q --junitxml=$FORAGER_JUNIT';

export interface TraceTaskOptions {
  /** The trace file to write (the scheduler's try path). */
  out: string;
  limits: TraceLimits;
  /** Command to trace (default: the task's eval.test_command, else pytest). */
  entry?: string;
  /** Only these pytest node ids run (pair mode: the failing tests). */
  select?: string[];
  /** Patches applied, in order, before tracing (pair mode: test patch, then gold patch for the fixed side). */
  patches?: string[];
  variant?: string;
  /** Run the command without the tracer (the baseline of `npm run bench -- trace`). */
  untraced?: boolean;
  /**
   * After tracing, call each recorded function again with its recorded literal arguments
   * (replay_check.py) and record the agreement per invocation and in the footer (default on).
   */
  replayCheck?: boolean;
  runId?: string;
  /** Repository to tag images built on the way into (default: the images concern's). */
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Where the tracing sandbox runs. */
  provider: SandboxProvider;
}

/** What the scheduler needs back: the file and its footer (shaped like a trajectory footer). */
export interface TraceTaskResult {
  path: string;
  header: undefined;
  footer: TraceFooter;
}

/**
 * Trace one task: its image, a container with the network off, its files and setup, the
 * tracer copied outside the repository and activated through PYTHONPATH (sitecustomize),
 * then the test command (or `entry`); every traced process's file is read back (bounded
 * by the task's byte limit), validated and merged into one JSONL trace: header, functions
 * and invocations, footer. Whatever happens the container is removed and the file ends
 * with a footer saying how the job ended.
 */
export async function traceTask(task: LoadedTask, options: TraceTaskOptions): Promise<TraceTaskResult> {
  const log = (options.log ?? silentLogger).child({ task: task.spec.id });
  const started = Date.now();
  const limits = options.limits;
  const command = options.entry ?? task.spec.eval?.test_command ?? DEFAULT_TRACE_COMMAND;
  const signal = options.signal;
  let image: PreparedImage | undefined;
  let sandbox: ProvidedSandbox | undefined;
  const provider = options.provider;
  const writer = await TraceWriter.create(options.out);
  const footer = emptyFooter();
  try {
    image = await provider.prepareImage(task, { log, signal, repository: options.repository });
    const root = image.repo?.root ?? task.spec.workdir;
    sandbox = await provider.start({
      image: image.ref,
      runId: options.runId ?? `trace-${process.pid}`,
      taskId: `${task.spec.id}-trace`,
      workdir: task.spec.workdir,
      env: sandboxEnv(task.spec.env),
      limits: { ...DEFAULT_LIMITS, ...task.spec.limits, network: 'none', wall_time_s: limits.wall_s + 600, action_timeout_s: limits.wall_s + 60 },
      hostname: SANDBOX_HOSTNAME,
      signal,
    });
    const abort = signal ?? new AbortController().signal;
    await placeFiles(sandbox, task.files, abort);
    const setup = await runSetup(sandbox, task.spec.setup, { ...DEFAULT_LIMITS, ...task.spec.limits }, abort);
    const failed = setup.find((s) => s.exit_code !== 0);
    if (failed) throw new TaskError('TRACE_SETUP_FAILED', `setup command failed (exit ${failed.exit_code}): ${failed.command}`);
    for (const [index, patch] of (options.patches ?? []).entries()) {
      const applied = await applyPatch(sandbox, root, patch, { signal, file: `${WORK}/patch-${index}.diff` });
      if (applied.method === null) throw new TaskError('TRACE_SETUP_FAILED', `patch ${index} did not apply: ${applied.log.slice(-500)}`);
    }
    await installTracer(sandbox, signal);
    const python = await runIn(sandbox, root, 'python3 -c "import sys; print(sys.version.split()[0])"', { timeoutMs: 60_000, signal });
    const header: TraceHeader = {
      type: 'header', format: TRACE_FORMAT, version: TRACE_VERSION, forager_version: VERSION, trace_id: randomUUID(),
      run_id: options.runId ?? 'adhoc', started_at: new Date(started).toISOString(),
      task: { id: task.spec.id, hash: task.hash, source: task.source }, image: { ref: image.ref, id: image.id },
      ...(options.variant ? { variant: options.variant } : {}),
      python: python.exitCode === 0 ? python.output.trim().slice(0, 50) : null, root, command, limits,
    };
    await writer.line(header);
    // The run's secret: tracers sign their lines with it, and only signed lines are read back.
    const key = randomBytes(32);
    const run = await runTraced(sandbox, root, command, { ...options, key: key.toString('hex') }, signal);
    // A command that overran may leave processes behind (a fork bomb's orphans holding every
    // PID): they go before its files are read; only init and the dead-man are spared.
    if (run.timed_out) await clearProcesses(sandbox, root, signal).catch((error: unknown) => log.warn({ err: error }, 'could not clear the container\'s processes'));
    Object.assign(footer.command, run);
    footer.exit_status = run.timed_out ? 'wall_time' : 'agent_finished';
    if (run.timed_out) footer.cuts.wall_time = (footer.cuts.wall_time ?? 0) + 1;
    // Collected before the replay check runs repository code again, which could rewrite the files.
    const collected = await collectTraces(sandbox, footer, limits, key, signal);
    let verdicts = new Map<string, ReplayVerdict>();
    if (options.replayCheck !== false && !options.untraced) {
      try {
        const report = await replayCheck(sandbox, root, limits, collected.invocations, signal);
        footer.replay = report.summary;
        verdicts = report.verdicts;
      } catch (error) {
        // The check runs repository code again; its failure leaves the trace without verdicts, not without a trace.
        if (signal?.aborted) throw error;
        footer.cuts.replay_failed = (footer.cuts.replay_failed ?? 0) + 1;
        log.warn({ err: error }, 'the replay check failed');
      }
    }
    await writeCollected(writer, collected, footer, verdicts);
  } catch (error) {
    const failure = signal?.aborted ? { kind: 'infrastructure' as const, code: 'ABORTED', message: 'the trace was aborted' } : failureOf(error);
    footer.exit_status = signal?.aborted ? 'aborted' : 'error';
    footer.failure_kind = failure.kind;
    footer.error = failure;
    log.warn({ err: error, code: failure.code }, 'trace ended by an error');
    if (!writer.started) await writer.line(fallbackHeader(task, options, image, command, started));
  } finally {
    await sandbox?.stop().catch((error: unknown) => log.error({ err: error }, 'could not remove the sandbox'));
  }
  footer.ended_at = new Date().toISOString();
  footer.duration_ms = Date.now() - started;
  footer.steps = footer.invocations;
  await writer.finish(footer);
  return { path: options.out, header: undefined, footer };
}

function failureOf(error: unknown): { kind: 'infrastructure' | 'task' | 'agent'; code: string; message: string } {
  if (error instanceof AbortedError) return { kind: 'infrastructure', code: 'ABORTED', message: error.message };
  const e = toForagerError(error);
  return { kind: e.kind, code: e.code, message: e.message };
}

function emptyFooter(): TraceFooter {
  return {
    type: 'footer', exit_status: 'error', failure_kind: null, ended_at: '', duration_ms: 0, steps: 0,
    totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 },
    command: { exit_code: null, timed_out: false, duration_ms: 0, log_tail: '' },
    processes: 0, functions: 0, invocations: 0, events: 0, bytes: 0, cuts: {}, sampling: {}, endings: {},
  };
}

function fallbackHeader(task: LoadedTask, options: TraceTaskOptions, image: PreparedImage | undefined, command: string, started: number): TraceHeader {
  return {
    type: 'header', format: TRACE_FORMAT, version: TRACE_VERSION, forager_version: VERSION, trace_id: randomUUID(),
    run_id: options.runId ?? 'adhoc', started_at: new Date(started).toISOString(),
    task: { id: task.spec.id, hash: task.hash, source: task.source }, image: { ref: image?.ref ?? '', id: image?.id ?? '' },
    ...(options.variant ? { variant: options.variant } : {}),
    python: null, root: image?.repo?.root ?? task.spec.workdir, command, limits: options.limits,
  };
}

