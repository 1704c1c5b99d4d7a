import { z } from 'zod';
import { AgentDescriptionSchema } from './agent-description.js';

/** Bumped when a reader of the previous version could misread a file. */
export const TRAJECTORY_VERSION = 1;
export const TRAJECTORY_FORMAT = 'forager.trajectory';

export const ActionSchema = z.discriminatedUnion('tool', [
  z.object({
    tool: z.literal('bash'),
    command: z.string(),
    /** Overrides the task's per-action timeout for this action. */
    timeout_s: z.number().positive().optional(),
  }).strict(),
  z.object({
    tool: z.literal('view'),
    path: z.string().min(1),
    start_line: z.number().int().positive().optional(),
    end_line: z.number().int().positive().optional(),
  }).strict(),
  z.object({
    tool: z.literal('create'),
    path: z.string().min(1),
    content: z.string(),
    overwrite: z.boolean().optional(),
  }).strict(),
  z.object({
    tool: z.literal('edit'),
    path: z.string().min(1),
    /** May be empty: CWM's edit matches an empty search at every line start (forager's own edit tool refuses it). */
    search: z.string(),
    replace: z.string(),
  }).strict(),
  z.object({
    tool: z.literal('submit'),
    result: z.string().optional(),
  }).strict(),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ToolName = Action['tool'];

/** One output stream, kept losslessly up to a cap: head and tail, omitted bytes counted. */
export const StreamCaptureSchema = z.object({
  /** The kept bytes (the head when truncated), as UTF-8 text or base64 (see `encoding`). */
  text: z.string(),
  /** The kept tail when the stream was truncated. */
  tail: z.string().optional(),
  /** `base64` when the kept bytes are not valid UTF-8; `text`/`tail` then hold base64. */
  encoding: z.enum(['utf8', 'base64']),
  /** Bytes the stream produced in all. */
  bytes: z.number().int().nonnegative(),
  /** Bytes dropped between head and tail. */
  omitted_bytes: z.number().int().nonnegative(),
  /** sha256 (hex) of the full stream, omitted bytes included. */
  sha256: z.string(),
});
export type StreamCapture = z.infer<typeof StreamCaptureSchema>;

export const ObservationSchema = z.object({
  stdout: StreamCaptureSchema,
  stderr: StreamCaptureSchema,
  /** null when the process was killed by a signal or never ran. */
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  timed_out: z.boolean(),
  duration_ms: z.number().nonnegative(),
  /**
   * Whose clock `duration_ms` is: `sandbox` (the shell's own, read when the command started
   * and ended: the harvester's load cannot stretch it) or `harvester` (the shell's clock
   * could not be read: dispatch and delivery included). Absent in older trajectories.
   */
  duration_clock: z.enum(['sandbox', 'harvester']).optional(),
  /** The shell session died or was killed during this action and was started again. */
  session_restarted: z.boolean(),
  /** stderr went into stdout's pipe (one stream in the kernel's order, as CWM's shell has it); `stderr` is empty. */
  stderr_merged: z.boolean().optional(),
  /** The sandbox's tool process (file tools) had ended — the agent killed it — and was started again for this action. */
  tool_restarted: z.boolean().optional(),
  /** The sandbox's writable layer grew past `limits.disk_mb` during this action: it was stopped and the attempt ends. */
  disk_limit_reached: z.boolean().optional(),
  /**
   * With `disk_limit_reached`: the most the writable layer held past `disk_mb` during the step
   * (bytes), what the disk watch let through before it stopped the step (what the host had to
   * absorb). Absent under a kernel bound (the writes failed with ENOSPC instead).
   */
  disk_overshoot_bytes: z.number().int().nonnegative().optional(),
  /** Processes killed after this action because the sandbox was at its PID limit (a backgrounded fork bomb). */
  pids_cleared: z.number().int().nonnegative().optional(),
});
export type Observation = z.infer<typeof ObservationSchema>;

export const FileChangeSchema = z.object({
  /** The path as text: a name that is not UTF-8 shows its bytes as `\xHH`; one past the bound is cut and ends with `…`. */
  path: z.string(),
  change: z.enum(['added', 'modified', 'deleted']),
  size: z.number().int().nonnegative().optional(),
  /** The path's exact bytes (base64), when they are not UTF-8 (up to the bound). */
  path_bytes: z.string().optional(),
  /** The path's full length in bytes, when `path` was cut. */
  path_length: z.number().int().nonnegative().optional(),
});
export type FileChange = z.infer<typeof FileChangeSchema>;

/** What the step did to the environment: the world-model signal. */
export const StateSchema = z.object({
  cwd: z.string(),
  /** The working directory was longer than the bound and `cwd` holds its start. */
  cwd_truncated: z.boolean().optional(),
  changes: z.array(FileChangeSchema),
  /** More files changed than were listed. */
  changes_truncated: z.boolean().optional(),
  /** How many changed files under the workdir were left out of `changes` (bounds on count or a snapshot too large to walk). */
  changes_omitted: z.number().int().nonnegative().optional(),
  /** Files the step changed outside the workdir (what `pip install` touched), kept apart from `changes`. */
  outside: z.array(FileChangeSchema).optional(),
  outside_truncated: z.boolean().optional(),
  outside_omitted: z.number().int().nonnegative().optional(),
  /** Changes under caches and VCS folders (.git, __pycache__, node_modules, .pytest_cache): counted, not listed. */
  changes_pruned: z.number().int().nonnegative().optional(),
  /** The host reader had to walk the whole layer for this step (its event queue overflowed, or no inotify watch was left). */
  probe_full_walks: z.number().int().nonnegative().optional(),
  /**
   * How the state was read: `host` (the container's overlay upper directory), `exec` (a
   * separate exec in the container), or `host+exec` (the layer from the host, the paths it
   * does not hold — size-limited mounts, gVisor's /tmp — by a separate exec).
   */
  probe: z.enum(['host', 'exec', 'host+exec']).optional(),
  /** Time spent measuring the state after the action, outside the action's `duration_ms`. */
  probe_ms: z.number().nonnegative().optional(),
});
export type State = z.infer<typeof StateSchema>;

export const FailureKindSchema = z.enum(['agent', 'task', 'infrastructure']);

export const FailureSchema = z.object({
  kind: FailureKindSchema,
  code: z.string(),
  message: z.string(),
});
export type Failure = z.infer<typeof FailureSchema>;

export const UsageSchema = z.object({
  /** Every prompt token, cached ones included. */
  prompt_tokens: z.number().int().nonnegative(),
  /** Reasoning tokens included. */
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  /** Prompt tokens read from the server's prompt cache. */
  cache_read_tokens: z.number().int().nonnegative().optional(),
  /** Prompt tokens written to the prompt cache (Anthropic). */
  cache_write_tokens: z.number().int().nonnegative().optional(),
  /** Completion tokens spent reasoning, when the server reports them apart. */
  reasoning_tokens: z.number().int().nonnegative().optional(),
});

/** Anthropic thinking blocks as they came, signatures included, so the conversation can continue. */
export const ThinkingBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal('redacted_thinking'), data: z.string() }),
]);

/** What a model said for this step, enough to rebuild the conversation in any tool format. */
export const ModelTurnSchema = z.object({
  /** The answer's text; only its start when it was longer than `max_tool_call_bytes` (CWM format), then `raw_text_bytes` and `raw_text_sha256` describe it all. */
  raw_text: z.string(),
  raw_text_bytes: z.number().int().nonnegative().optional(),
  raw_text_sha256: z.string().optional(),
  reasoning: z.string().optional(),
  /**
   * The answer's tool calls. `arguments` holds only its start when the call was longer than
   * `max_tool_call_bytes` (it was not carried out); `arguments_bytes` and `arguments_sha256` then describe it all.
   */
  tool_calls: z.array(z.object({
    id: z.string(),
    name: z.string(),
    arguments: z.string(),
    arguments_bytes: z.number().int().nonnegative().optional(),
    arguments_sha256: z.string().optional(),
  })).optional(),
  /** The model declined (OpenAI `message.refusal`; Anthropic's `refusal` stop: its explanation, '' when none). */
  refusal: z.string().optional(),
  /** Anthropic: the policy category of a refusal, when it names one. */
  refusal_category: z.string().optional(),
  usage: UsageSchema.optional(),
  latency_ms: z.number().nonnegative().optional(),
  finish_reason: z.string().nullable().optional(),
  format_error: z.string().optional(),
  retries: z.number().int().nonnegative().optional(),
  /** The server's id for the response. */
  response_id: z.string().optional(),
  /** How many observations, oldest first, were replaced by an elision marker in this request (context management). */
  elided_observations: z.number().int().nonnegative().optional(),
  /** USD this call cost, from the price table; absent when the model has no price. */
  cost_usd: z.number().nonnegative().optional(),
  /** Streamed answers: ms from sending the request to the first token. */
  ttft_ms: z.number().nonnegative().optional(),
  /** Anthropic extended thinking: the blocks with their signatures (their text is also in `reasoning`). */
  thinking_blocks: z.array(ThinkingBlockSchema).optional(),
});
export type ModelTurn = z.infer<typeof ModelTurnSchema>;

export const StepSchema = z.object({
  type: z.literal('step'),
  index: z.number().int().nonnegative(),
  started_at: z.string(),
  /** null when the agent produced no valid action (a format error). */
  action: ActionSchema.nullable(),
  observation: ObservationSchema.nullable(),
  /** The text the agent was shown for this step (rendered, possibly truncated). */
  shown: z.string(),
  state: StateSchema.nullable(),
  timing: z.object({
    agent_ms: z.number().nonnegative(),
    action_ms: z.number().nonnegative(),
  }),
  model: ModelTurnSchema.optional(),
  failure: FailureSchema.optional(),
  /** The id of the model's tool call this step carried out (function calling; one answer may hold several). */
  tool_call_id: z.string().optional(),
  /** Set when this step replays a recorded one: that step's index in the trajectory named by `header.parent` (forks) or the replay agent. */
  replay_of: z.number().int().nonnegative().optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const LimitsSchema = z.object({
  wall_time_s: z.number().positive(),
  action_timeout_s: z.number().positive(),
  max_steps: z.number().int().positive(),
  memory_mb: z.number().int().positive(),
  cpus: z.number().positive(),
  pids: z.number().int().positive(),
  network: z.enum(['none', 'bridge']),
  max_output_bytes: z.number().int().positive(),
  /** Most the sandbox's writable layer may hold, in MiB (absent in trajectories written before it existed). */
  disk_mb: z.number().int().positive().optional(),
  /** The OCI runtime the sandbox ran under (`runc`, `runsc`…); absent: the engine's default. */
  runtime: z.string().min(1).optional(),
  /** The workdir and /tmp as size-limited mounts of `disk_mb` each (docs/sandbox.md); absent: none. */
  disk_mount: z.enum(['tmpfs', 'loop']).optional(),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** How a sandbox was isolated, as the backend started it (the trajectory header's `sandbox`). */
export const IsolationSchema = z.object({
  /** The OCI runtime that ran it, as the engine names it. */
  runtime: z.string(),
  /** `host`: the host's kernel serves its system calls; `gvisor`: a user-space kernel does. */
  kernel: z.enum(['host', 'gvisor']),
  /**
   * `kernel`: everything the sandbox can write has a size the kernel enforces; `mounts+poll`:
   * the workdir and /tmp do (ENOSPC), the rest of the writable layer is watched; `poll`: only watched.
   */
  disk: z.enum(['kernel', 'mounts+poll', 'poll']),
  /** What bounds the disk: `storage-opt` (the layer), `tmpfs:/path`, `loop:/path` (mounts), `poll` (the rest of the layer). */
  disk_bounds: z.array(z.string()),
  /** How the state after each step was read: `host`, `exec`, or `host+exec:<paths>` (the layer from the host, mounts by a listing). */
  state_reader: z.string().optional(),
});
export type Isolation = z.infer<typeof IsolationSchema>;

export const HeaderSchema = z.object({
  type: z.literal('header'),
  format: z.literal(TRAJECTORY_FORMAT),
  version: z.literal(TRAJECTORY_VERSION),
  forager_version: z.string(),
  trajectory_id: z.string(),
  run_id: z.string(),
  attempt: z.number().int().nonnegative(),
  started_at: z.string(),
  task: z.object({
    id: z.string(),
    /** sha256 of the task's canonical content (spec and the files it places). */
    hash: z.string(),
    source: z.string().optional(),
    instruction: z.string(),
    spec: z.record(z.string(), z.unknown()),
  }),
  image: z.object({ ref: z.string(), id: z.string(), digest: z.string().nullable().optional() }),
  agent: AgentDescriptionSchema,
  limits: LimitsSchema,
  environment: z.record(z.string(), z.string()),
  workdir: z.string(),
  seed: z.number().int(),
  host: z.object({ hostname: z.string(), platform: z.string(), docker_version: z.string().optional() }),
  /**
   * The sandbox that ran it: the backend (`docker`, `podman`; `host.docker_version` is that
   * backend's version), the limits of `limits` it ran without because the operator accepted
   * that (`--allow-unenforced-limits`, e.g. rootless Podman on cgroup v1), and how it was
   * isolated (runtime, kernel, disk bounds, state reader) when the backend says. Each part
   * is absent in trajectories written before it existed.
   */
  sandbox: IsolationSchema.partial().extend({
    provider: z.string().optional(),
    unenforced_limits: z.array(z.enum(['memory_mb', 'cpus', 'pids'])).optional(),
  }).optional(),
  setup: z.array(z.object({ command: z.string(), exit_code: z.number().int().nullable(), duration_ms: z.number() })),
  parent: z.object({ trajectory_id: z.string(), path: z.string().optional(), step: z.number().int() }).optional(),
});
export type Header = z.infer<typeof HeaderSchema>;

export const ExitStatusSchema = z.enum([
  'submitted',
  'agent_finished',
  'max_steps',
  'max_tokens',
  'max_cost',
  'wall_time',
  'format_errors',
  /** The model refused (a refusal and no tool call to carry out): failure kind `agent`, code `REFUSED`. */
  'refused',
  'aborted',
  'error',
]);
export type ExitStatus = z.infer<typeof ExitStatusSchema>;

export const TestStatusSchema = z.enum(['passed', 'failed', 'error', 'skipped', 'xfail', 'missing']);
const TestGroupSchema = z.object({ success: z.array(z.string()), failure: z.array(z.string()) });

/**
 * How a run's patch was graded, in a fresh container from the run's image. `graded`:
 * tests ran; `patch_failed`: the patch did not apply (reward 0); `error`: no grade could
 * be given (the test patch did not apply, or the harness failed; see `error`).
 */
export const EvaluationSchema = z.object({
  status: z.enum(['graded', 'patch_failed', 'error']),
  resolved: z.boolean(),
  image_id: z.string(),
  /** How the patch went in: none needed (empty), or the first method of the cascade that applied it. */
  patch: z.object({
    method: z.enum(['empty', 'git_apply', 'git_apply_reject', 'patch_fuzz']).nullable(),
    bytes: z.number().int().nonnegative(),
    log_tail: z.string(),
  }),
  test_patch: z.object({ applied: z.boolean(), log_tail: z.string() }).optional(),
  tests: z.object({
    command: z.string(),
    exit_code: z.number().int().nullable(),
    timed_out: z.boolean(),
    duration_ms: z.number().nonnegative(),
    /** Whether a JUnit report was found; without one every graded test is `missing`. */
    junit: z.boolean(),
    /** Test cases in the report, graded or not. */
    total: z.number().int().nonnegative(),
    log_tail: z.string(),
    /** The parser that read the run (eval.parser). */
    parser: z.string().optional(),
    /** Why the run's log was not trusted (no tests found, timed out, a non-zero exit with no failing test): the task is then not resolved. */
    invalid: z.string().optional(),
    /** eval.prepare ran (the harness's sequence): its last command's exit code, the sandbox's network, and whether the log's markers bounded what was parsed. */
    prepare: z.object({ exit_code: z.number().int().nullable(), network: z.enum(['none', 'bridge']), markers: z.boolean() }).optional(),
  }).optional(),
  /** Status of every FAIL_TO_PASS and PASS_TO_PASS test. */
  results: z.record(z.string(), TestStatusSchema),
  fail_to_pass: TestGroupSchema,
  pass_to_pass: TestGroupSchema,
  error: FailureSchema.optional(),
  duration_ms: z.number().nonnegative(),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;

export const FooterSchema = z.object({
  type: z.literal('footer'),
  exit_status: ExitStatusSchema,
  failure_kind: FailureKindSchema.nullable(),
  error: FailureSchema.optional(),
  ended_at: z.string(),
  duration_ms: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  submission: z.string().optional(),
  patch: z.string().optional(),
  totals: z.object({
    output_bytes: z.number().int().nonnegative(),
    action_ms: z.number().nonnegative(),
    agent_ms: z.number().nonnegative(),
    prompt_tokens: z.number().int().nonnegative().optional(),
    completion_tokens: z.number().int().nonnegative().optional(),
    cache_read_tokens: z.number().int().nonnegative().optional(),
    cache_write_tokens: z.number().int().nonnegative().optional(),
    reasoning_tokens: z.number().int().nonnegative().optional(),
    /** Sum of the steps' `model.cost_usd`; absent when no step had a price. */
    cost_usd: z.number().nonnegative().optional(),
  }),
  /** What forager's evaluation writes (EvaluationSchema); other producers' free-form reports are still read. */
  evaluation: z.union([EvaluationSchema, z.record(z.string(), z.unknown())]).optional(),
  /** 1 when the evaluation resolved the task, 0 when it did not; absent when there was no grade. */
  reward: z.number().optional(),
});
export type Footer = z.infer<typeof FooterSchema>;

export const LineSchema = z.discriminatedUnion('type', [HeaderSchema, StepSchema, FooterSchema]);
export type Line = z.infer<typeof LineSchema>;

/**
 * Where an imported trajectory came from: another harvester's record, read by `forager
 * import`. Imported trajectories carry only what their source recorded; the fields below
 * relax the harvested schema for them, so nothing is invented to fill a required field.
 */
export const ImportSourceSchema = z.object({
  kind: z.literal('import'),
  /** The importer that read it: atif, mini-swe-agent, swe-agent, openhands, messages. */
  format: z.string(),
  /** The file it was read from. */
  path: z.string(),
  /** The record within that file (line number or id) when the file holds many. */
  record: z.union([z.string(), z.number()]).optional(),
  /** The source's own exit status, as it wrote it. */
  exit_status: z.string().optional(),
  /** Source fields forager has no place for, kept as they were (small values only). */
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type ImportSource = z.infer<typeof ImportSourceSchema>;

/** The header of an imported trajectory: `source` says so; sandbox provenance the source lacks stays absent. */
export const ImportedHeaderSchema = HeaderSchema.extend({
  source: ImportSourceSchema,
  started_at: z.string().optional(),
  image: HeaderSchema.shape.image.optional(),
  limits: LimitsSchema.partial().optional(),
  environment: z.record(z.string(), z.string()).optional(),
  workdir: z.string().optional(),
  seed: z.number().int().optional(),
  host: HeaderSchema.shape.host.optional(),
  setup: HeaderSchema.shape.setup.optional(),
});
export type ImportedHeader = z.infer<typeof ImportedHeaderSchema>;

/** A step of an imported trajectory: only the observation fields the source recorded (often none but the text shown). */
export const ImportedStepSchema = StepSchema.extend({
  started_at: z.string().optional(),
  observation: ObservationSchema.partial().nullable(),
  timing: z.object({ agent_ms: z.number().nonnegative().optional(), action_ms: z.number().nonnegative().optional() }).optional(),
});
export type ImportedStep = z.infer<typeof ImportedStepSchema>;

/** The footer of an imported trajectory: an exit status only when the source's maps onto forager's. */
export const ImportedFooterSchema = FooterSchema.extend({
  exit_status: ExitStatusSchema.optional(),
  failure_kind: FailureKindSchema.nullable().optional(),
  ended_at: z.string().optional(),
  duration_ms: z.number().nonnegative().optional(),
  totals: FooterSchema.shape.totals.partial().optional(),
});
export type ImportedFooter = z.infer<typeof ImportedFooterSchema>;

/** Any line a dataset reader accepts: harvested lines, or the relaxed lines of an imported trajectory. */
export const DatasetLineSchema = z.union([HeaderSchema, StepSchema, FooterSchema, ImportedHeaderSchema, ImportedStepSchema, ImportedFooterSchema]);

export * from './agent-description.js';
