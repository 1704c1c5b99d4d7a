import type { Logger } from 'pino';
import { AbortedError } from '../core/errors.js';
import { estimateTokens } from '../core/tokens.js';
import { APIConnectionError, APIConnectionTimeoutError, InvalidResponseError, errorForStatus } from './errors.js';
import { unlimited, type RateLimiter } from './rate-limiter.js';
import { parseRetryAfter, withRetries } from './retry.js';
import { ChatResponseSchema, type ChatCompletion, type ChatRequest, type ChatResponse } from './types.js';

export interface ChatClientOptions {
  /** e.g. http://localhost:8000/v1 (the client appends /chat/completions). */
  baseUrl: string;
  model: string;
  /** Name of the environment variable that holds the API key; read at request time. */
  apiKeyEnv?: string;
  env?: Record<string, string | undefined>;
  /** Per-attempt timeout, headers and body included. */
  timeoutMs: number;
  maxRetries: number;
  rateLimiter?: RateLimiter;
  log?: Logger;
  /** Passed to the retry loop, for tests. */
  baseDelayMs?: number;
}

/** An OpenAI-compatible chat-completions client: timeouts, retries, rate limit. */
export class ChatClient {
  private readonly url: string;

  constructor(private readonly options: ChatClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const { extra_body, ...rest } = request;
    const body = JSON.stringify({ ...extra_body, model: this.options.model, ...rest, stream: false });
    const limiter = this.options.rateLimiter ?? unlimited;
    const started = performance.now();
    const { value, retries } = await withRetries(
      async () => {
        await limiter.acquire(estimateRequestTokens(body, request.max_tokens), signal);
        return this.post(body, signal);
      },
      {
        maxRetries: this.options.maxRetries,
        signal,
        baseDelayMs: this.options.baseDelayMs,
        onRetry: ({ attempt, delayMs, error }) =>
          this.options.log?.warn({ attempt, delayMs, error: error instanceof Error ? error.message : String(error), url: this.url }, 'model request retried'),
      },
    );
    return toCompletion(value, retries, performance.now() - started);
  }

  private async post(body: string, signal: AbortSignal | undefined): Promise<ChatResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const context = { url: this.url, model: this.options.model };
    try {
      const response = await fetch(this.url, { method: 'POST', headers: this.headers(), body, signal: combined });
      const text = await response.text();
      if (!response.ok) {
        throw errorForStatus(response.status, `model endpoint answered ${response.status}: ${text.slice(0, 500)}`, {
          retryAfterMs: parseRetryAfter(response.headers),
          context,
        });
      }
      return parseResponse(text, context);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError('model request aborted', { cause: signal.reason, context });
      if (timeout.aborted) {
        throw new APIConnectionTimeoutError(`model request timed out after ${this.options.timeoutMs} ms`, { cause: error, context });
      }
      if (error instanceof TypeError || (error as { name?: string }).name === 'SocketError') {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new APIConnectionError(`cannot reach the model endpoint: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error, context });
      }
      throw error;
    }
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const name = this.options.apiKeyEnv;
    const key = name ? (this.options.env ?? process.env)[name] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;
    return headers;
  }
}

function parseResponse(text: string, context: Record<string, string>): ChatResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidResponseError(`model endpoint answered with invalid JSON: ${text.slice(0, 200)}`, { cause: error, context });
  }
  const parsed = ChatResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResponseError(
      `model endpoint answered with something other than a chat completion: field ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      { context },
    );
  }
  return parsed.data;
}

function toCompletion(response: ChatResponse, retries: number, latencyMs: number): ChatCompletion {
  const choice = response.choices[0]!;
  const message = choice.message;
  const usage = response.usage
    ? {
        prompt_tokens: response.usage.prompt_tokens,
        completion_tokens: response.usage.completion_tokens,
        total_tokens: response.usage.total_tokens ?? response.usage.prompt_tokens + response.usage.completion_tokens,
      }
    : undefined;
  const reasoning = message.reasoning_content ?? message.reasoning ?? undefined;
  return {
    ...(response.id ? { id: response.id } : {}),
    text: message.content ?? '',
    ...(reasoning ? { reasoning } : {}),
    toolCalls: (message.tool_calls ?? []).map((call, i) => ({
      id: call.id ?? `call_${i}`,
      type: 'function' as const,
      function: {
        name: call.function.name,
        // Some servers (Ollama's native shape) send arguments as an object.
        arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
      },
    })),
    finishReason: choice.finish_reason ?? null,
    ...(usage ? { usage } : {}),
    latencyMs: Math.round(latencyMs * 1000) / 1000,
    retries,
  };
}

/** Tokens a request may cost: the prompt (~4 characters a token) plus the completion cap. */
export function estimateRequestTokens(body: string, maxTokens: number | undefined): number {
  return estimateTokens(body.length) + (maxTokens ?? 0);
}
