export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Anthropic's extended-thinking blocks, kept exactly as they came (the signature is
 * what lets the API accept them back on the next turn).
 */
export type ThinkingBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

/** One chat message as sent to an OpenAI-compatible endpoint. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  /** For `tool` messages: the tool's name (CWM's `tool: NAME` role). */
  name?: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
  /** Assistant messages from an Anthropic endpoint: its thinking blocks, sent back as they came. Never sent to OpenAI-compatible endpoints. */
  thinking_blocks?: ThinkingBlock[];
  /** Assistant messages: the model's refusal, sent back as OpenAI's `refusal` field (Anthropic's is its stop reason, not sent). */
  refusal?: string;
}

/** A function the model may call (OpenAI `tools` entry). */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface SamplingParams {
  /** Omitted from the request unless set (the server's default applies). */
  temperature?: number;
  /** Omitted from the request unless set. */
  top_p?: number;
  /** Completion tokens per call, sent as `max_tokens` or `max_completion_tokens` (see the client's `tokenParam`). */
  max_tokens?: number;
  seed?: number;
  stop?: string[];
  /** OpenAI reasoning models: `minimal | low | medium | high`. */
  reasoning_effort?: string;
  /**
   * Top-level request fields merged over the body forager builds: a value replaces the
   * field, `null` removes it (e.g. `{ seed: null }`).
   */
  extra_body?: Record<string, unknown>;
}

export interface ChatRequest extends SamplingParams {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
}

/**
 * Tokens of one call. `prompt_tokens` counts every prompt token, cached ones included
 * (OpenAI's convention; Anthropic's input, cache-write and cache-read tokens are added
 * up into it); `completion_tokens` includes reasoning tokens.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Prompt tokens served from the server's prompt cache. */
  cache_read_tokens?: number;
  /** Prompt tokens written to the prompt cache (Anthropic). */
  cache_write_tokens?: number;
  /** Completion tokens spent on reasoning (OpenAI reasoning models; Anthropic does not report them apart). */
  reasoning_tokens?: number;
}

/** What one chat completion produced, plus how it went on the wire. */
export interface ChatCompletion {
  id?: string;
  text: string;
  reasoning?: string;
  /** Anthropic thinking blocks with their signatures, in order. */
  thinkingBlocks?: ThinkingBlock[];
  toolCalls: ToolCall[];
  /**
   * The model declined to answer: OpenAI's `message.refusal` text, or, for an Anthropic
   * `refusal` stop, its `stop_details.explanation` ('' when it gives none).
   */
  refusal?: string;
  /** Anthropic's `stop_details.category` of a refusal, when it names one. */
  refusalCategory?: string;
  finishReason: string | null;
  usage?: Usage;
  latencyMs: number;
  /** Streamed answers: from sending the request (last attempt) to the first content, reasoning or tool-call delta. */
  timeToFirstTokenMs?: number;
  retries: number;
}

/** What the model agent needs from a client; the OpenAI-compatible and Anthropic clients both match it. */
export interface ModelClient {
  complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion>;
}
