import { z } from 'zod';
import { isToolFormatName, type ModelOverrides, type ToolFormatName } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import { isEndpointName, PriceTableSchema, type EndpointName, type PriceTable } from '../model/index.js';
import type { PlannedAttempt } from '../scheduler/index.js';
import { hashTask, KEY_ENV_VARIABLE, loadTask, taskPolicy, TaskSpecSchema, type LoadedTask } from '../task/index.js';

/**
 * `harvest --queue`'s model flags, carried as given and applied by the worker over the
 * task's agent exactly as a local harvest does (scheduler/agent-setup.ts). Strict: a
 * worker that does not know a flag refuses the job rather than run without it.
 */
export const ModelOverridesSchema = z.object({
  baseUrl: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  apiKeyEnv: z.string().min(1).optional(),
  toolFormat: z.custom<ToolFormatName>((v) => typeof v === 'string' && isToolFormatName(v), 'expected a known tool format').optional(),
  parallelToolCalls: z.enum(['run', 'first']).optional(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  maxTokens: z.number().int().optional(),
  seed: z.number().int().optional(),
  maxTurns: z.number().int().optional(),
  tokenBudget: z.number().int().optional(),
  contextWindow: z.number().int().optional(),
  requestTimeoutS: z.number().optional(),
  maxRetries: z.number().int().optional(),
  endpoint: z.custom<EndpointName>((v) => isEndpointName(v), 'expected a known endpoint kind').optional(),
  tokenParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  reasoningEffort: z.string().optional(),
  stream: z.boolean().optional(),
  costLimit: z.number().optional(),
  anthropicVersion: z.string().optional(),
  maxResponseBytes: z.number().int().optional(),
  streamIdleTimeoutS: z.number().optional(),
  maxRetryAfterS: z.number().optional(),
  maxToolCallBytes: z.number().int().optional(),
}).strict();

// Compile-time guard: a flag added to ModelOverrides must be added here, or enqueueing would drop it.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const overridesCovered: SameKeys<z.infer<typeof ModelOverridesSchema>, Required<ModelOverrides>> = true;
void overridesCovered;

/** `harvest --queue --requests-per-minute/--tokens-per-minute`: one limit for the batch, shared by every worker. */
export const BatchRateLimitSchema = z.object({
  requestsPerMinute: z.number().int().positive().optional(),
  tokensPerMinute: z.number().int().positive().optional(),
}).strict();
export type BatchRateLimit = z.infer<typeof BatchRateLimitSchema>;

/**
 * What a job carries. `inline` (the default) is self-contained: the validated spec and
 * the bytes of every file the task places, so a worker on another machine needs nothing
 * but the payload. `shared` carries no files: the worker loads `source` from a file
 * system shared with the enqueuer (needed for tasks whose image is built from a
 * Dockerfile next to the task: the build context is a folder, not a payload).
 */
export const JobPayloadSchema = z.object({
  version: z.literal(1),
  batch: z.string().min(1),
  taskId: z.string().min(1),
  attempt: z.number().int().nonnegative(),
  /** sha256 of the spec and files (task/load.ts); the worker checks it. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The task file on the enqueuing machine (provenance; read by `shared` jobs). */
  source: z.string().min(1),
  dir: z.string().min(1),
  mode: z.enum(['inline', 'shared']),
  spec: z.record(z.string(), z.unknown()),
  files: z.array(z.object({ path: z.string().min(1), mode: z.number().int(), base64: z.string() }).strict()),
  /** Model flags of `harvest --queue`, applied over the task's agent (absent: the task's own agent). */
  agentOverrides: ModelOverridesSchema.optional(),
  /** Rate limit of `harvest --queue`, one for the whole batch across workers. */
  rateLimit: BatchRateLimitSchema.optional(),
  /** Model prices of `harvest --queue --prices/--price-*`, for per-step cost and `--cost-limit`. */
  prices: PriceTableSchema.optional(),
}).strict();
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** Default cap on an inline payload (spec + base64 files): Redis holds every queued job. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** The job payload of one planned attempt, or a TaskError naming the task when it cannot travel inline. */
export function buildPayload(
  batch: string,
  item: PlannedAttempt,
  options: { shared: boolean; maxBytes: number; agentOverrides?: ModelOverrides; rateLimit?: BatchRateLimit; prices?: PriceTable },
): JobPayload {
  const { task } = item;
  const needsShared = typeof task.spec.image === 'object' && 'dockerfile' in task.spec.image;
  if (needsShared && !options.shared) {
    throw new TaskError('TASK_NEEDS_SHARED_PATH', `${task.source}: field "image.dockerfile": a Dockerfile build context cannot travel in a job payload; enqueue with --shared-tasks and put the tasks on a file system every worker mounts at the same path`);
  }
  const payload: JobPayload = {
    version: 1, batch, taskId: item.taskId, attempt: item.attempt, hash: task.hash, source: task.source, dir: task.dir,
    mode: options.shared ? 'shared' : 'inline',
    spec: task.spec as unknown as Record<string, unknown>,
    files: options.shared ? [] : task.files.map((f) => ({ path: f.path, mode: f.mode, base64: f.content.toString('base64') })),
    ...carried(options.agentOverrides, options.rateLimit),
    ...(options.prices && Object.keys(options.prices).length > 0 ? { prices: parseCarried(PriceTableSchema, options.prices, 'prices') } : {}),
  };
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (!options.shared && size > options.maxBytes) {
    throw new TaskError('TASK_PAYLOAD_TOO_LARGE', `${task.source}: the task's files make a ${mib(size)} job payload, over the ${mib(options.maxBytes)} cap; raise --max-payload or enqueue with --shared-tasks on a shared file system`);
  }
  return payload;
}

/** The model flags and rate limit a job carries: only those given, validated by the schemas above. */
function carried(overrides: ModelOverrides | undefined, rateLimit: BatchRateLimit | undefined): Pick<JobPayload, 'agentOverrides' | 'rateLimit'> {
  const given = <T extends object>(value: T | undefined) => {
    const kept = Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined));
    return Object.keys(kept).length > 0 ? (kept as T) : undefined;
  };
  const out: Pick<JobPayload, 'agentOverrides' | 'rateLimit'> = {};
  const agentOverrides = given(overrides);
  if (agentOverrides) out.agentOverrides = parseCarried(ModelOverridesSchema, agentOverrides, 'model flags');
  const limit = given(rateLimit);
  if (limit) out.rateLimit = parseCarried(BatchRateLimitSchema, limit, 'rate limit');
  return out;
}

function parseCarried<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TaskError('QUEUE_CANNOT_CARRY', `harvest --queue: the ${what} cannot travel in a job: field "${issue.path.join('.')}": ${issue.message}`);
}

/** Rebuild the task a job names, checking that it is the very task that was enqueued. */
export async function restoreTask(data: unknown): Promise<LoadedTask> {
  const parsed = JobPayloadSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TaskError('JOB_PAYLOAD_INVALID', `job payload: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const payload = parsed.data;
  const task = payload.mode === 'shared' ? await loadTask(payload.source) : inlineTask(payload);
  if (task.hash !== payload.hash) {
    throw new TaskError('TASK_HASH_MISMATCH', `${payload.source}: field "hash": expected ${payload.hash.slice(0, 12)}… (as enqueued), found ${task.hash.slice(0, 12)}… (the task changed since)`);
  }
  checkKeyEnv(payload, task);
  return task;
}

/**
 * A job names the variable whose value the worker sends to the model endpoint: only
 * variables this worker allows (task/policy.ts: the usual key names and
 * $FORAGER_ALLOWED_KEY_ENV), whatever the enqueuer allowed.
 */
function checkKeyEnv(payload: JobPayload, task: LoadedTask): void {
  const allowed = taskPolicy().allowedKeyEnv;
  const named: [string, string | undefined][] = [
    ['agentOverrides.apiKeyEnv', payload.agentOverrides?.apiKeyEnv],
    ['spec.agent.api_key_env', task.spec.agent.type === 'model' ? task.spec.agent.api_key_env : undefined],
  ];
  for (const [field, name] of named) {
    if (name === undefined || allowed.has(name)) continue;
    throw new TaskError('TASK_KEY_ENV_REFUSED', `job payload of ${payload.source}: field "${field}": expected a variable this worker allows (${[...allowed].sort().join(', ')}; allow more with ${KEY_ENV_VARIABLE}), found ${name}`);
  }
}

function inlineTask(payload: JobPayload): LoadedTask {
  const spec = TaskSpecSchema.safeParse(payload.spec);
  if (!spec.success) {
    const issue = spec.error.issues[0]!;
    throw new TaskError('JOB_PAYLOAD_INVALID', `job payload of ${payload.source}: field "spec.${issue.path.join('.')}": ${issue.message}`);
  }
  const files = payload.files.map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.base64, 'base64') }));
  return { spec: spec.data, source: payload.source, dir: payload.dir, hash: hashTask(spec.data, files), files };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
