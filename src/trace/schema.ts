import { z } from 'zod';

export const TRACE_FORMAT = 'forager.trace';
export const TRACE_VERSION = 1;

/** Limits that keep a trace practical; each cut says which one it hit. */
export const TraceLimitsSchema = z.object({
  /** Events (call, line, yield, resume, exception) recorded per invocation; the return is always recorded. */
  max_events: z.number().int().positive(),
  /** Invocations recorded per function and process, sampled reproducibly by `seed`. */
  max_invocations: z.number().int().positive(),
  /** Characters of a repr before it is cut and marked with `…[cut]`. */
  repr_len: z.number().int().positive(),
  /** Bytes of trace kept per task (and written per traced process). */
  max_bytes: z.number().int().positive(),
  /** Time budget of one user-defined `__repr__`, in milliseconds. */
  repr_ms: z.number().positive(),
  /** Wall time of the traced command, in seconds. */
  wall_s: z.number().positive(),
  seed: z.number().int(),
  /** Trace test files' own functions too. */
  include_tests: z.boolean(),
}).strict();
export type TraceLimits = z.infer<typeof TraceLimitsSchema>;

export const CutSchema = z.object({
  /** events | wall_time | bytes | exit | unfinished */
  reason: z.string(),
  line: z.number().int().optional(),
  after_events: z.number().int().nonnegative(),
});

export const TraceHeaderSchema = z.object({
  type: z.literal('header'),
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  forager_version: z.string(),
  trace_id: z.string(),
  run_id: z.string(),
  started_at: z.string(),
  task: z.object({ id: z.string(), hash: z.string(), source: z.string().optional() }),
  image: z.object({ ref: z.string(), id: z.string() }),
  /** `buggy` or `fixed` for the two sides of a mutate-fix pair. */
  variant: z.string().optional(),
  python: z.string().nullable(),
  root: z.string(),
  command: z.string(),
  limits: TraceLimitsSchema,
});
export type TraceHeader = z.infer<typeof TraceHeaderSchema>;

/** A function of the repository, written once before its first invocation. */
export const TraceFunctionSchema = z.object({
  type: z.literal('function'),
  key: z.string(),
  file: z.string(),
  qualname: z.string(),
  firstlineno: z.number().int(),
  source: z.string().nullable(),
  /** The line number of the first line of `source`. */
  source_line: z.number().int(),
});
export type TraceFunction = z.infer<typeof TraceFunctionSchema>;

export const TraceEventSchema = z.object({
  event: z.enum(['call', 'line', 'return', 'exception', 'yield', 'resume']),
  line: z.number().int(),
  /** Locals whose repr changed since the previous event (all of them at `call`). */
  locals: z.record(z.string(), z.string()),
  /** return/yield: the value's repr; exception: the exception's repr. */
  value: z.string().optional(),
});
export type TraceEvent = z.infer<typeof TraceEventSchema>;

export const ReplayVerdictSchema = z.object({
  status: z.enum(['equal', 'mismatch', 'skipped']),
  /** skipped: why (not_returned, generator, cut_repr, args_not_literal, not_found, signature). */
  reason: z.string().optional(),
  /** mismatch: the repr the call gave this time (cut to 1,000 characters). */
  replayed: z.string().optional(),
});
export type ReplayVerdict = z.infer<typeof ReplayVerdictSchema>;

export const InvocationSchema = z.object({
  type: z.literal('invocation'),
  id: z.string(),
  function: z.string(),
  pid: z.number().int(),
  thread: z.string(),
  main_thread: z.boolean(),
  file: z.string(),
  qualname: z.string(),
  firstlineno: z.number().int(),
  /** Which call of the function in its process this was (0-based), before sampling. */
  call_index: z.number().int().nonnegative(),
  /** The pytest node id running when the call began, or null outside a test. */
  test: z.string().nullable(),
  /** The recorded invocation this one was called from, if any. */
  parent: z.string().nullable(),
  /** How many events the parent had recorded when this one was called: its frames come before the parent's event of that index (absent in traces of forager before 2026-12). */
  parent_event: z.number().int().nonnegative().nullable().optional(),
  generator: z.boolean(),
  args: z.record(z.string(), z.string()),
  outcome: z.enum(['return', 'exception', 'unfinished']),
  return: z.string().optional(),
  exception: z.string().optional(),
  cut: CutSchema.nullable(),
  events: z.array(TraceEventSchema),
  /** The replay check's verdict on this invocation: called again with its recorded arguments, did it return the recorded value? */
  replay: ReplayVerdictSchema.optional(),
});
export type Invocation = z.infer<typeof InvocationSchema>;

export const TraceFooterSchema = z.object({
  type: z.literal('footer'),
  /** For the scheduler (same meaning as a trajectory's): how the job ended. */
  exit_status: z.enum(['agent_finished', 'wall_time', 'aborted', 'error']),
  failure_kind: z.enum(['infrastructure', 'task', 'agent']).nullable(),
  error: z.object({ kind: z.enum(['infrastructure', 'task', 'agent']), code: z.string(), message: z.string() }).optional(),
  ended_at: z.string(),
  duration_ms: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  totals: z.object({ output_bytes: z.number().int().nonnegative(), action_ms: z.number().nonnegative(), agent_ms: z.number().nonnegative() }),
  command: z.object({ exit_code: z.number().int().nullable(), timed_out: z.boolean(), duration_ms: z.number().nonnegative(), log_tail: z.string() }),
  processes: z.number().int().nonnegative(),
  functions: z.number().int().nonnegative(),
  invocations: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** How often each limit cut something (events, wall_time, bytes, repr_timeout, exit, fork, tracer_replaced, task_bytes). */
  cuts: z.record(z.string(), z.number().int().nonnegative()),
  /** Per function key: [calls seen, invocations recorded]. */
  sampling: z.record(z.string(), z.tuple([z.number().int(), z.number().int()])),
  /** The replay check (on unless --no-replay-check): recorded functions called again with their recorded (literal) arguments. */
  replay: z.object({
    eligible: z.number().int().nonnegative(),
    equal: z.number().int().nonnegative(),
    mismatches: z.array(z.record(z.string(), z.unknown())),
    skipped: z.record(z.string(), z.number().int().nonnegative()),
  }).optional(),
  /**
   * What the harvester refused: lines whose MAC did not verify under the run's key (written by
   * no tracer of this run, or altered), and files none of whose lines verified.
   */
  refused: z.object({ files: z.number().int().nonnegative(), lines: z.number().int().nonnegative() }).optional(),
  /** Why tracing ended in each process (exit, wall_time, bytes, killed). */
  endings: z.record(z.string(), z.number().int().nonnegative()),
});
export type TraceFooter = z.infer<typeof TraceFooterSchema>;

export const TraceLineSchema = z.discriminatedUnion('type', [TraceHeaderSchema, TraceFunctionSchema, InvocationSchema, TraceFooterSchema]);
export type TraceLine = z.infer<typeof TraceLineSchema>;

/** The trace line schema as JSON Schema, for readers outside TypeScript. */
export function traceJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://forager.dev/schema/trace.v${TRACE_VERSION}.schema.json`,
    title: `forager trace v${TRACE_VERSION}: one JSON object per line (header, functions, invocations, footer)`,
    ...z.toJSONSchema(TraceLineSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

export const TRACE_JSON_SCHEMA_PATH = `schema/trace.v${TRACE_VERSION}.schema.json`;

/** What ends a repr cut at `repr_len` characters (forager_tracer.py's CUT). */
export const CUT_MARKER = '\u2026[cut]';
