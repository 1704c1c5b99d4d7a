import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../core/errors.js';
import { runIn, tail } from '../eval/index.js';
import type { ProvidedSandbox } from '../sandbox/index.js';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { shellQuote } from '../core/quote.js';
import { z } from 'zod';
import { ReplayVerdictSchema, TraceFooterSchema, type Invocation, type ReplayVerdict, type TraceFooter, type TraceLimits } from './schema.js';

/** The tracer shipped with forager, copied into the container outside the repository. */
export const TRACER_DIR = join(PACKAGE_ROOT, 'src', 'trace', 'python');
const TRACER_FILES = ['sitecustomize.py', 'forager_tracer.py', 'forager_tracer_pytest.py', 'replay_check.py'];
/** mutate's pytest plugin, reused for test selection (FORAGER_SELECT) in pair mode. */
const SELECT_PLUGIN = join(PACKAGE_ROOT, 'src', 'mutate', 'python', 'forager_trace.py');
export const TRACER_HOME = '/opt/forager-trace';
export const WORK = '/tmp/forager-trace';
/** Where each traced process writes trace-<pid>.jsonl. */
export const OUT = `${WORK}/out`;

export interface TracedRun {
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  log_tail: string;
}

/** Kill what a command left running (init and the dead-man, the container's own command, are spared). */
export async function clearProcesses(sandbox: ProvidedSandbox, root: string, signal?: AbortSignal): Promise<void> {
  await sandbox.killProcesses();
  // The session died with the rest: the next command opens a new one (tried a few times, as any first command in a busy container).
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if ((await runIn(sandbox, root, 'true', { timeoutMs: 30_000, signal }).catch(() => undefined))?.exitCode === 0) return;
  }
}

export async function installTracer(sandbox: ProvidedSandbox, signal?: AbortSignal): Promise<void> {
  for (const name of TRACER_FILES) await sandbox.writeFile(`${TRACER_HOME}/${name}`, await readFile(join(TRACER_DIR, name)), { signal });
  await sandbox.writeFile(`${TRACER_HOME}/forager_trace.py`, await readFile(SELECT_PLUGIN), { signal });
}

/**
 * Run `command` at `root` with the tracer active (or not, `untraced`), stopped at the wall
 * limit. `key` (hex) is the run's secret: each tracer signs its lines with it, and
 * `collectTraces` keeps only lines that verify.
 */
export async function runTraced(sandbox: ProvidedSandbox, root: string, command: string, options: { limits: TraceLimits; key: string; select?: string[]; untraced?: boolean }, signal?: AbortSignal): Promise<TracedRun> {
  const { limits } = options;
  const python = { max_events: limits.max_events, max_invocations: limits.max_invocations, repr_len: limits.repr_len, max_bytes: limits.max_bytes, repr_ms: limits.repr_ms, seed: limits.seed, include_tests: limits.include_tests };
  const env = options.untraced ? [`FORAGER_JUNIT=${WORK}/junit.xml`] : [
    `FORAGER_TRACE_DIR=${OUT}`,
    `FORAGER_TRACE_KEY=${options.key}`,
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

/** What the replay check found: the footer's summary and a verdict per invocation id. */
export interface ReplayReport {
  summary: NonNullable<TraceFooter['replay']>;
  verdicts: Map<string, ReplayVerdict>;
}

const ReplayOutputSchema = TraceFooterSchema.shape.replay.unwrap().extend({ results: z.record(z.string(), ReplayVerdictSchema) });

/**
 * Run replay_check.py (untraced) over the invocations the harvester accepted: they are
 * written into the container for it, and it reads them whole before importing any
 * repository code; its report comes back through a file.
 */
export async function replayCheck(sandbox: ProvidedSandbox, root: string, limits: TraceLimits, invocations: Invocation[], signal?: AbortSignal): Promise<ReplayReport> {
  const input = `${WORK}/replay-input.jsonl`;
  const output = `${WORK}/replay-output.json`;
  await sandbox.writeFile(input, invocations.map((i) => JSON.stringify(i)).join('\n') + '\n', { signal });
  const env = `FORAGER_TRACE_LIMITS=${shellQuote(JSON.stringify({ repr_len: limits.repr_len, repr_ms: limits.repr_ms }))}`;
  const result = await runIn(sandbox, root, `rm -f ${output}; ${env} python3 ${TRACER_HOME}/replay_check.py ${shellQuote(root)} ${input} ${output} 2>&1 | tail -c 2000`, { timeoutMs: limits.wall_s * 1000, signal });
  const text = (await sandbox.readFile(output, { signal }))?.toString('utf8');
  const parsed = ReplayOutputSchema.safeParse((() => { try { return text === undefined ? undefined : JSON.parse(text); } catch { return undefined; } })());
  if (!parsed.success) throw new TaskError('TRACE_REPLAY_FAILED', `replay check failed (exit ${result.exitCode}): ${tail(result.output, 500)}`);
  const { results, ...summary } = parsed.data;
  return { summary, verdicts: new Map(Object.entries(results)) };
}
