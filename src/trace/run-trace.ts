import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AbortedError, toForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { VERSION } from '../core/version.js';
import { applyPatch, runIn, tail } from '../eval/index.js';
import { PACKAGE_ROOT, resolveTaskImage, type TaskImage } from '../images/index.js';
import { sandboxEnv } from '../runner/index.js';
import { SANDBOX_HOSTNAME } from '../runner/environment.js';
import { placeFiles, runSetup } from '../runner/prepare.js';
import { killAllButInit } from '../sandbox/docker/one-shot.js';
import { DockerSandbox } from '../sandbox/docker/sandbox.js';
import { shellQuote } from '../sandbox/quote.js';
import { DEFAULT_LIMITS, type LoadedTask } from '../task/index.js';
import { addCounts, parseProcessTrace } from './collect.js';
import { TRACE_FORMAT, TRACE_VERSION, TraceFooterSchema, type TraceFooter, type TraceHeader, type TraceLimits } from './schema.js';

/** The tracer shipped with forager, copied into the container outside the repository. */
export const TRACER_DIR = join(PACKAGE_ROOT, 'src', 'trace', 'python');
const TRACER_FILES = ['sitecustomize.py', 'forager_tracer.py', 'forager_tracer_pytest.py', 'replay_check.py'];
/** mutate's pytest plugin, reused for test selection (FORAGER_SELECT) in pair mode. */
const SELECT_PLUGIN = join(PACKAGE_ROOT, 'src', 'mutate', 'python', 'forager_trace.py');
export const TRACER_HOME = '/opt/forager-trace';
const WORK = '/tmp/forager-trace';
const OUT = `${WORK}/out`;
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
  /** After tracing, call each recorded function again with its recorded literal arguments (replay_check.py) and record the agreement. */
  replayCheck?: boolean;
  runId?: string;
  /** Repository to tag images built on the way into (default: the images concern's). */
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
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
  let image: TaskImage | undefined;
  let sandbox: DockerSandbox | undefined;
  const writer = await TraceWriter.create(options.out);
  const footer = emptyFooter();
  try {
    image = await resolveTaskImage(task, { log, signal, repository: options.repository });
    const root = image.repo?.root ?? task.spec.workdir;
    sandbox = await DockerSandbox.start({
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
    if (failed) throw new TraceSetupError(`setup command failed (exit ${failed.exit_code}): ${failed.command}`);
    for (const [index, patch] of (options.patches ?? []).entries()) {
      const applied = await applyPatch(sandbox, root, patch, { signal, file: `${WORK}/patch-${index}.diff` });
      if (applied.method === null) throw new TraceSetupError(`patch ${index} did not apply: ${applied.log.slice(-500)}`);
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
    const run = await runTraced(sandbox, root, command, options, signal);
    // A command that overran may leave processes behind (a fork bomb's orphans holding every
    // PID): they go before its files are read; only init and the dead-man are spared.
    if (run.timed_out) await clearProcesses(sandbox, root, signal).catch((error: unknown) => log.warn({ err: error }, 'could not clear the container\'s processes'));
    Object.assign(footer.command, run);
    footer.exit_status = run.timed_out ? 'wall_time' : 'agent_finished';
    if (run.timed_out) footer.cuts.wall_time = (footer.cuts.wall_time ?? 0) + 1;
    if (options.replayCheck) footer.replay = await replayCheck(sandbox, root, limits, signal);
    await collectInto(sandbox, writer, footer, limits, signal);
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

class TraceSetupError extends Error {
  readonly code = 'TRACE_SETUP_FAILED';
}

function failureOf(error: unknown): { kind: 'infrastructure' | 'task' | 'agent'; code: string; message: string } {
  if (error instanceof TraceSetupError) return { kind: 'task', code: error.code, message: error.message };
  if (error instanceof AbortedError) return { kind: 'infrastructure', code: 'ABORTED', message: error.message };
  const e = toForagerError(error);
  return { kind: e.kind, code: e.code, message: e.message };
}

async function clearProcesses(sandbox: DockerSandbox, root: string, signal?: AbortSignal): Promise<void> {
  const config = (await sandbox.container.inspect()).Config;
  await killAllButInit(sandbox.container, [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])]);
  // The session died with the rest: the next command opens a new one once the old is seen gone.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if ((await runIn(sandbox, root, 'true', { timeoutMs: 30_000, signal }).catch(() => undefined))?.exitCode === 0) return;
  }
}

async function installTracer(sandbox: DockerSandbox, signal?: AbortSignal): Promise<void> {
  for (const name of TRACER_FILES) await sandbox.writeFile(`${TRACER_HOME}/${name}`, await readFile(join(TRACER_DIR, name)), { signal });
  await sandbox.writeFile(`${TRACER_HOME}/forager_trace.py`, await readFile(SELECT_PLUGIN), { signal });
}

async function runTraced(sandbox: DockerSandbox, root: string, command: string, options: TraceTaskOptions, signal?: AbortSignal) {
  const { limits } = options;
  const python = { max_events: limits.max_events, max_invocations: limits.max_invocations, repr_len: limits.repr_len, max_bytes: limits.max_bytes, repr_ms: limits.repr_ms, seed: limits.seed, include_tests: limits.include_tests };
  const env = options.untraced ? [`FORAGER_JUNIT=${WORK}/junit.xml`] : [
    `FORAGER_TRACE_DIR=${OUT}`,
    `FORAGER_TRACE_ROOT=${shellQuote(root)}`,
    `FORAGER_TRACE_LIMITS=${shellQuote(JSON.stringify(python))}`,
    `FORAGER_TRACE_DEADLINE=$(( $(date +%s) + ${Math.ceil(limits.wall_s)} ))`,
    `FORAGER_JUNIT=${WORK}/junit.xml`,
    `PYTHONPATH=${TRACER_HOME}\${PYTHONPATH:+:$PYTHONPATH}`,
  ];
  // pytest (if the command runs it) loads the re-arming plugin, and in pair mode mutate's selecting one.
  const plugins = ['-p forager_tracer_pytest'];
  if (options.select) {
    await sandbox.writeFile(`${WORK}/select.txt`, `${options.select.join('\n')}\n`, { signal });
    env.push(`FORAGER_SELECT=${WORK}/select.txt`, 'FORAGER_TRACE_OUT=');
    plugins.push('-p forager_trace');
  }
  if (!options.untraced) env.push(`PYTEST_ADDOPTS="${plugins.join(' ')} \${PYTEST_ADDOPTS:-}"`);
  const script = `rm -rf ${OUT} && mkdir -p ${OUT} && export ${env.join(' ')} && ${command}`;
  // The tracer stops itself at the deadline and writes what it has; the kill comes a little later.
  const result = await runIn(sandbox, root, script, { timeoutMs: (limits.wall_s + 10) * 1000, signal });
  return { exit_code: result.exitCode, timed_out: result.timedOut, duration_ms: result.durationMs, log_tail: tail(result.output, 4000) };
}

/** Run replay_check.py (untraced) over the processes' files; its last output line is its JSON report. */
async function replayCheck(sandbox: DockerSandbox, root: string, limits: TraceLimits, signal?: AbortSignal): Promise<TraceFooter['replay']> {
  const env = `FORAGER_TRACE_LIMITS=${shellQuote(JSON.stringify({ repr_len: limits.repr_len, repr_ms: limits.repr_ms }))}`;
  const result = await runIn(sandbox, root, `${env} python3 ${TRACER_HOME}/replay_check.py ${shellQuote(root)} ${OUT} 2>/dev/null`, { timeoutMs: limits.wall_s * 1000, signal });
  const last = result.output.trim().split('\n').pop() ?? '';
  const parsed = TraceFooterSchema.shape.replay.safeParse((() => { try { return JSON.parse(last); } catch { return undefined; } })());
  if (!parsed.success || !parsed.data) throw new TraceSetupError(`replay check failed (exit ${result.exitCode}): ${tail(result.output, 500)}`);
  return parsed.data;
}

/** Read every process's file (smallest pid first) while the task's byte budget lasts, and write it out. */
async function collectInto(sandbox: DockerSandbox, writer: TraceWriter, footer: TraceFooter, limits: TraceLimits, signal?: AbortSignal): Promise<void> {
  const listing = await runIn(sandbox, '/', `cd ${OUT} 2>/dev/null && for f in trace-*.jsonl; do [ -f "$f" ] && stat -c '%s %n' "$f"; done; true`, { timeoutMs: 60_000, signal });
  const files = listing.output.split('\n').map((l) => /^(\d+) trace-(\d+)\.jsonl$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), pid: Number(m[2]) })).sort((a, b) => a.pid - b.pid);
  const described = new Set<string>();
  let budget = limits.max_bytes;
  for (const file of files) {
    if (budget <= 0 || file.size > limits.max_bytes + 1024 * 1024) {
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
      footer.endings.not_collected = (footer.endings.not_collected ?? 0) + 1;
      continue;
    }
    const bytes = await sandbox.readFile(`${OUT}/trace-${file.pid}.jsonl`, { signal });
    if (!bytes) continue;
    let text = bytes.toString('utf8');
    if (bytes.length > budget) {
      // Over the task's budget: keep the whole lines that fit.
      text = bytes.subarray(0, budget).toString('utf8');
      text = text.slice(0, text.lastIndexOf('\n') + 1);
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
    }
    budget -= bytes.length;
    const trace = parseProcessTrace(file.pid, text);
    footer.processes += 1;
    footer.endings[trace.ending] = (footer.endings[trace.ending] ?? 0) + 1;
    addCounts(footer.cuts, trace.cuts);
    if (trace.invalid) footer.cuts.invalid_lines = (footer.cuts.invalid_lines ?? 0) + trace.invalid;
    for (const [key, [calls, recorded]] of Object.entries(trace.sampling)) {
      const before = footer.sampling[key] ?? [0, 0];
      footer.sampling[key] = [before[0] + calls, before[1] + recorded];
    }
    const functions = new Map(trace.functions.map((f) => [f.key, f]));
    for (const invocation of trace.invocations) {
      const fn = functions.get(invocation.function);
      if (!described.has(invocation.function) && fn) {
        described.add(invocation.function);
        await writer.line(fn);
      }
      await writer.line(invocation);
      footer.invocations += 1;
      footer.events += invocation.events.length;
    }
  }
  footer.functions = described.size;
  footer.bytes = writer.bytes;
}

function emptyFooter(): TraceFooter {
  return {
    type: 'footer', exit_status: 'error', failure_kind: null, ended_at: '', duration_ms: 0, steps: 0,
    totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 },
    command: { exit_code: null, timed_out: false, duration_ms: 0, log_tail: '' },
    processes: 0, functions: 0, invocations: 0, events: 0, bytes: 0, cuts: {}, sampling: {}, endings: {},
  };
}

function fallbackHeader(task: LoadedTask, options: TraceTaskOptions, image: TaskImage | undefined, command: string, started: number): TraceHeader {
  return {
    type: 'header', format: TRACE_FORMAT, version: TRACE_VERSION, forager_version: VERSION, trace_id: randomUUID(),
    run_id: options.runId ?? 'adhoc', started_at: new Date(started).toISOString(),
    task: { id: task.spec.id, hash: task.hash, source: task.source }, image: { ref: image?.ref ?? '', id: image?.id ?? '' },
    ...(options.variant ? { variant: options.variant } : {}),
    python: null, root: image?.repo?.root ?? task.spec.workdir, command, limits: options.limits,
  };
}

/** Appends JSON lines to the trace file; the footer is written last, then the file is synced. */
class TraceWriter {
  started = false;
  bytes = 0;
  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<TraceWriter> {
    await mkdir(dirname(path), { recursive: true });
    return new TraceWriter(await open(path, 'w'));
  }

  async line(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.started = true;
    this.bytes += Buffer.byteLength(text);
    await this.handle.write(text);
  }

  async finish(footer: TraceFooter): Promise<void> {
    await this.line(footer);
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
