import { InvalidArgumentError, Option, type Command } from 'commander';
import { TOOL_FORMAT_NAMES, type ModelOverrides } from '../agent/index.js';
import { ANTHROPIC_VERSION, describeEndpoints, ENDPOINT_NAMES, loadPriceTable, PriceSchema, type PriceTable } from '../model/index.js';
import { TaskError } from '../core/errors.js';
import { integer, nonNegative, nonNegativeInt, number, size } from './arguments.js';

function positiveNumber(value: string): number {
  const n = number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number > 0, found "${value}"`);
  return n;
}

/**
 * The model flags, each backed by a `FORAGER_*` environment variable (a flag given on
 * the command line wins over the variable). The table in docs/model-agents.md lists
 * them; keep the two in step.
 */
export const MODEL_FLAGS: Array<{ flags: string; env: string; description: string; parse?: (value: string) => unknown; choices?: string[] }> = [
  { flags: '--model-url <url>', env: 'FORAGER_MODEL_URL', description: 'base URL, e.g. http://localhost:8000/v1 (makes the agent model-driven)' },
  { flags: '--model <name>', env: 'FORAGER_MODEL', description: 'model name sent to the endpoint' },
  { flags: '--api-key-env <var>', env: 'FORAGER_API_KEY_ENV', description: 'environment variable holding the API key' },
  { flags: '--endpoint <kind>', env: 'FORAGER_ENDPOINT', description: `endpoint kind: ${describeEndpoints()}`, choices: [...ENDPOINT_NAMES] },
  { flags: '--tool-format <format>', env: 'FORAGER_TOOL_FORMAT', description: `tool format: ${TOOL_FORMAT_NAMES.join(' | ')} (see docs/architecture.md)` },
  { flags: '--temperature <t>', env: 'FORAGER_TEMPERATURE', description: 'sampling temperature (omitted unless set)', parse: number },
  { flags: '--top-p <p>', env: 'FORAGER_TOP_P', description: 'nucleus sampling (omitted unless set)', parse: number },
  { flags: '--max-tokens <n>', env: 'FORAGER_MAX_TOKENS', description: 'completion tokens per model call', parse: integer },
  { flags: '--token-param <field>', env: 'FORAGER_TOKEN_PARAM', description: 'field for --max-tokens (default by model name)', choices: ['max_tokens', 'max_completion_tokens'] },
  { flags: '--reasoning-effort <level>', env: 'FORAGER_REASONING_EFFORT', description: 'reasoning_effort for OpenAI reasoning models', choices: ['minimal', 'low', 'medium', 'high'] },
  { flags: '--stream', env: 'FORAGER_STREAM', description: 'stream answers (server-sent events) from the model endpoint, OpenAI-compatible or Anthropic' },
  { flags: '--model-seed <n>', env: 'FORAGER_MODEL_SEED', description: 'sampling seed sent to the model', parse: integer },
  { flags: '--max-turns <n>', env: 'FORAGER_MAX_TURNS', description: 'model calls allowed', parse: integer },
  { flags: '--token-budget <n>', env: 'FORAGER_TOKEN_BUDGET', description: 'prompt + completion tokens allowed over the run', parse: integer },
  { flags: '--parallel-tool-calls <mode>', env: 'FORAGER_PARALLEL_TOOL_CALLS', description: 'several tool calls in one answer: run (each in order, one step each) or first (only the first; default)' },
  { flags: '--context-window <n>', env: 'FORAGER_CONTEXT_WINDOW', description: "the model's context window in tokens", parse: integer },
  { flags: '--request-timeout <s>', env: 'FORAGER_REQUEST_TIMEOUT', description: 'seconds per model request attempt', parse: positiveNumber },
  { flags: '--model-retries <n>', env: 'FORAGER_MODEL_RETRIES', description: 'retries of a model request (429, 5xx, timeouts)', parse: nonNegativeInt },
  { flags: '--max-response <size>', env: 'FORAGER_MAX_RESPONSE', description: 'bytes one model answer may take, body or stream (e.g. 32MiB, the default)', parse: size },
  { flags: '--stream-idle-timeout <s>', env: 'FORAGER_STREAM_IDLE_TIMEOUT', description: 'seconds a streamed answer may go without an event (default 300)', parse: positiveNumber },
  { flags: '--max-retry-after <s>', env: 'FORAGER_MAX_RETRY_AFTER', description: 'longest Retry-After waited out; a longer one fails the request (default 60)', parse: nonNegative },
  { flags: '--max-tool-call <size>', env: 'FORAGER_MAX_TOOL_CALL', description: "bytes of one tool call's arguments carried out (default 1MiB)", parse: size },
  { flags: '--anthropic-version <date>', env: 'FORAGER_ANTHROPIC_VERSION', description: `anthropic-version header of the Messages API (default ${ANTHROPIC_VERSION})` },
  { flags: '--cost-limit <usd>', env: 'FORAGER_COST_LIMIT', description: 'USD one attempt may spend on model calls (needs a price)', parse: positiveNumber },
  { flags: '--prices <file>', env: 'FORAGER_PRICES', description: 'price table (YAML/JSON): model -> USD per million tokens' },
  { flags: '--price-input <usd>', env: 'FORAGER_PRICE_INPUT', description: 'USD per million uncached prompt tokens, for models the table does not name', parse: nonNegative },
  { flags: '--price-output <usd>', env: 'FORAGER_PRICE_OUTPUT', description: 'USD per million completion tokens (with --price-input)', parse: nonNegative },
  { flags: '--price-cache-read <usd>', env: 'FORAGER_PRICE_CACHE_READ', description: 'USD per million cached prompt tokens (default: the input price)', parse: nonNegative },
  { flags: '--price-cache-write <usd>', env: 'FORAGER_PRICE_CACHE_WRITE', description: 'USD per million prompt tokens written to the cache (default: the input price)', parse: nonNegative },
];

/** Flags that point a run at a model, overriding (or replacing) the task's agent. */
export function addModelOptions(command: Command): Command {
  for (const flag of MODEL_FLAGS) {
    const option = new Option(flag.flags, flag.description).env(flag.env);
    if (flag.parse) option.argParser(flag.parse as (value: string) => unknown);
    if (flag.choices) option.choices(flag.choices);
    command.addOption(option);
  }
  return command;
}

/**
 * The options without those that came from a `FORAGER_*` variable: for commands that
 * replay a recorded configuration exactly (`run --from`, `replay` without `--until`),
 * where variables set for harvesting must not count as model flags.
 */
export function commandLineOnly(command: Command, options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => command.getOptionValueSource(key) !== 'env'));
}

/** The model flags as overrides for applyModelOverrides(). */
export function modelOverridesFrom(options: Record<string, unknown>): ModelOverrides {
  return {
    baseUrl: options.modelUrl as string | undefined,
    model: options.model as string | undefined,
    apiKeyEnv: options.apiKeyEnv as string | undefined,
    endpoint: options.endpoint as ModelOverrides['endpoint'],
    toolFormat: options.toolFormat as ModelOverrides['toolFormat'],
    temperature: options.temperature as number | undefined,
    topP: options.topP as number | undefined,
    maxTokens: options.maxTokens as number | undefined,
    tokenParam: options.tokenParam as ModelOverrides['tokenParam'],
    reasoningEffort: options.reasoningEffort as string | undefined,
    stream: options.stream === true ? true : undefined,
    seed: options.modelSeed as number | undefined,
    maxTurns: options.maxTurns as number | undefined,
    tokenBudget: options.tokenBudget as number | undefined,
    contextWindow: options.contextWindow as number | undefined,
    requestTimeoutS: options.requestTimeout as number | undefined,
    maxRetries: options.modelRetries as number | undefined,
    costLimit: options.costLimit as number | undefined,
    parallelToolCalls: options.parallelToolCalls as ModelOverrides['parallelToolCalls'],
    anthropicVersion: options.anthropicVersion as string | undefined,
    maxResponseBytes: options.maxResponse as number | undefined,
    streamIdleTimeoutS: options.streamIdleTimeout as number | undefined,
    maxRetryAfterS: options.maxRetryAfter as number | undefined,
    maxToolCallBytes: options.maxToolCall as number | undefined,
  };
}

/**
 * The price table of `--prices`, with the `--price-*` flags as the `*` entry (models
 * the file does not name). Undefined when neither is given: no cost is computed.
 */
export async function pricesFrom(options: Record<string, unknown>): Promise<PriceTable | undefined> {
  const table: PriceTable = typeof options.prices === 'string' ? await loadPriceTable(options.prices) : {};
  const flags = { input: options.priceInput, output: options.priceOutput, cache_read: options.priceCacheRead, cache_write: options.priceCacheWrite };
  if (Object.values(flags).some((v) => v !== undefined)) {
    const parsed = PriceSchema.safeParse(Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)));
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? '');
      throw new TaskError('USAGE', `price flags: --price-${field.replace('_', '-')} is needed too (a price has an input and an output price)`);
    }
    table['*'] = parsed.data;
  }
  return Object.keys(table).length ? table : undefined;
}
