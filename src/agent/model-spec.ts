import { z } from 'zod';
import { ANTHROPIC_VERSION, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_STREAM_IDLE_MS, ENDPOINT_NAMES, getEndpoint } from '../model/index.js';
import { TOOL_FORMAT_NAMES } from './formats/index.js';
import { CWM_TOKENIZER_NAMES } from './formats/cwm/tokens.js';

/** Ceilings on one model-driven run; crossing one ends the run with its own exit status. */
export const ModelBudgetsSchema = z.object({
  /** Model calls; default the task's max_steps. Exit status `max_steps`. */
  max_turns: z.number().int().positive().optional(),
  /** Prompt + completion tokens summed over every call (from `usage`). Exit status `max_tokens`. */
  max_tokens: z.number().int().positive().optional(),
  /** Consecutive format errors tolerated; one more ends the run as `format_errors`. */
  max_format_errors: z.number().int().nonnegative().default(3),
  /** Seconds since the agent started; checked before each call. Exit status `wall_time`. */
  max_wall_time_s: z.number().positive().optional(),
  /** USD spent over every call (needs a price for the model); checked before each call. Exit status `max_cost`. */
  max_cost_usd: z.number().positive().optional(),
}).strict();

/** The command-line flag of a spec field a model may refuse. */
const FLAG_OF: Record<string, string> = { temperature: '--temperature', top_p: '--top-p' };

/** CWM's SWE environment settings (tool format `cwm`); defaults are CWM's training config (SWERLConfig). */
export const CwmSettingsSchema = z.object({
  /** End the episode on the first format error (CWM's training config); false answers it as a user message (CWM's eval configs). */
  strict: z.boolean().default(true),
  /** `tag`: `<think>` reasoning (the assistant turn opens with `<think>\n`); `token`: CWM's reasoning tokens; `off`. */
  reasoning: z.enum(['off', 'tag', 'token']).default('off'),
  /** How tokens are counted for the budget block and the result cut: Llama 3's BPE, or four characters a token. */
  tokenizer: z.enum(CWM_TOKENIZER_NAMES).default('llama3'),
  /** Offer edit and create (SYSTEM_UBUNTU) or only bash and submit. */
  plugins: z.boolean().default(true),
  /** Tokens the user prompt is cut to, from its start (max_prompt_len). */
  max_prompt_tokens: z.number().int().positive().default(8192),
  /** Tokens a tool result or feedback is cut to, at its end (max_user_turn_len). */
  max_result_tokens: z.number().int().positive().default(32_768),
}).strict();
export type CwmSettings = z.infer<typeof CwmSettingsSchema>;

/**
 * A model behind an OpenAI-compatible chat-completions endpoint (vLLM, Ollama,
 * llama.cpp's server, hosted APIs). The API key is named, never written: `api_key_env`
 * is the environment variable that holds it.
 */
export const ModelAgentSpecSchema = z.object({
  type: z.literal('model'),
  /** e.g. http://localhost:8000/v1 */
  base_url: z.string().url(),
  model: z.string().min(1),
  /** The endpoint kind (model/endpoints/registry.ts): `openai`, chat completions (vLLM, SGLang, Ollama, llama.cpp, OpenAI); `anthropic`, the Messages API. */
  endpoint: z.enum(ENDPOINT_NAMES).default(ENDPOINT_NAMES[0]),
  /** OpenAI endpoints: the completion-cap field; default `max_completion_tokens` for o1/o3/o4/gpt-5 names, else `max_tokens`. */
  token_param: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** OpenAI reasoning models: sent as `reasoning_effort`. */
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  /** Ask for server-sent events, from either endpoint (recorded as the same answer unstreamed, plus time to first token). */
  stream: z.boolean().default(false),
  /** Anthropic: `cache_control` on the system prompt and the conversation prefix. */
  prompt_cache: z.boolean().default(true),
  /**
   * Anthropic: the `anthropic-version` header; default the current API version, the one
   * @anthropic-ai/sdk 1.x sends (trajectories recorded before this setting ran 2023-06-01).
   */
  anthropic_version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an API version date such as 2026-10-21').default(ANTHROPIC_VERSION),
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (the key itself never goes in a task file)').optional(),
  /** `openai`: function calling; `cwm`: CWM's SWE environment exactly; `forager`: CWM's call syntax with forager's view tool and richer results (see agent/formats/). */
  tool_format: z.enum(TOOL_FORMAT_NAMES).default('openai'),
  /** Several tool calls in one answer: `run` carries them all out in order, one step each; `first` only the first (the others are answered as ignored). */
  parallel_tool_calls: z.enum(['run', 'first']).default('first'),
  /** Omitted from requests unless set (the server's default applies). */
  temperature: z.number().min(0).max(2).optional(),
  /** Omitted from requests unless set. */
  top_p: z.number().gt(0).max(1).optional(),
  /** Completion tokens per call. */
  max_tokens: z.number().int().positive().default(4096),
  seed: z.number().int().optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
  /** System prompt template: {{instruction}}, {{workdir}}, {{max_turns}}, {{context_window}}, {{task_id}}. */
  system_prompt: z.string().min(1).optional(),
  /** First user message template, same placeholders. */
  user_prompt: z.string().min(1).optional(),
  budgets: ModelBudgetsSchema.default({ max_format_errors: 3 }),
  /** The model's context window in tokens; older observations are elided to stay under it (`cwm`: the budget's context size, default 131,072, and the episode ends past it). */
  context_window: z.number().int().positive().optional(),
  request_timeout_s: z.number().positive().default(600),
  max_retries: z.number().int().nonnegative().default(5),
  /** Bytes one answer may take (a JSON body, or a whole stream); past it the request fails with MODEL_RESPONSE_TOO_LARGE. */
  max_response_bytes: z.number().int().positive().default(DEFAULT_MAX_RESPONSE_BYTES),
  /** A stream that delivers no event for this long fails with MODEL_STREAM_IDLE (retried); never longer than request_timeout_s. */
  stream_idle_timeout_s: z.number().positive().default(DEFAULT_STREAM_IDLE_MS / 1000),
  /** Longest Retry-After waited out; a server asking for longer fails the request with MODEL_RETRY_AFTER_TOO_LONG. */
  max_retry_after_s: z.number().nonnegative().default(DEFAULT_MAX_RETRY_AFTER_MS / 1000),
  /** Bytes of one tool call's arguments (CWM format: of the answer's text) carried out; a larger call is not run, and the model is told why. */
  max_tool_call_bytes: z.number().int().positive().default(1024 * 1024),
  /**
   * CWM format only: the chat role observations are sent with. `tool` (default) is
   * CWM's `tool: NAME` turn (role `tool` with `name`); `user` for servers that refuse
   * tool messages without a preceding tool call.
   */
  observation_role: z.enum(['tool', 'user']).default('tool'),
  /** Tool format `cwm`: CWM's environment settings. */
  cwm: CwmSettingsSchema.optional(),
  /** Top-level request fields merged over the body forager builds (top_k, chat_template_kwargs, thinking…); `null` removes a field. */
  extra_body: z.record(z.string(), z.unknown()).optional(),
}).strict().superRefine((spec, context) => {
  // Sampling a model family refuses fails here, when the spec is read, not on the run's first call.
  for (const problem of getEndpoint(spec.endpoint).samplingProblems(spec)) {
    context.addIssue({ code: 'custom', path: problem.field.split('.'), message: `${problem.reason}: leave it unset (${FLAG_OF[problem.field] ?? `\`${problem.field}\` in the agent spec`})` });
  }
});

export type ModelAgentSpec = z.infer<typeof ModelAgentSpecSchema>;
