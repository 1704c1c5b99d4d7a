import { estimateRequestTokens, limitsOf, readApiKey, retryOptionsOf, type ClientOptions } from '../../client-options.js';
import { InvalidResponseError } from '../../errors.js';
import { readBodyText } from '../../http/read-body.js';
import { postWithRetries, roundMs } from '../../transport.js';
import type { ChatCompletion, ChatRequest, ModelClient, Usage } from '../../types.js';
import { buildChatBody, tokenParamFor, type TokenParam } from './request-body.js';
import { readChatStream } from './stream.js';
import { ChatResponseSchema, type ChatResponse } from './wire.js';

/** e.g. baseUrl http://localhost:8000/v1 (the client appends /chat/completions). */
export interface ChatClientOptions extends ClientOptions {
  /** The completion-cap field; default from the model name (see tokenParamFor). */
  tokenParam?: TokenParam;
  /** Ask for server-sent events (`stream: true`, usage in the last chunk). */
  stream?: boolean;
}

/** An OpenAI-compatible chat-completions client: request shaping, streaming, timeouts, retries, rate limit. */
export class ChatClient implements ModelClient {
  private readonly url: string;
  private readonly tokenParam: TokenParam;

  constructor(private readonly options: ChatClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.tokenParam = options.tokenParam ?? tokenParamFor(options.model);
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const stream = this.options.stream === true;
    const body = JSON.stringify(buildChatBody(this.options.model, request, { tokenParam: this.tokenParam, stream }));
    const context = { url: this.url, model: this.options.model };
    const limits = limitsOf(this.options);
    const started = performance.now();
    const { value, retries } = await postWithRetries({
      url: this.url,
      headers: this.headers(stream),
      body,
      ...retryOptionsOf(this.options),
      reserveTokens: estimateRequestTokens(body, request.max_tokens),
      signal,
      context,
      read: async (response, sentAt) => {
        if (!stream) return { response: parseResponse(parseJson(await readBodyText(response, limits.maxResponseBytes, context), context), context) };
        const { json, firstTokenAt } = await readChatStream(response, { maxBytes: limits.maxResponseBytes, idleMs: limits.streamIdleMs }, context);
        return { response: parseResponse(json, context), ttft: firstTokenAt === undefined ? undefined : firstTokenAt - sentAt };
      },
      actualTokens: ({ response }) => response.usage?.total_tokens ?? (response.usage ? response.usage.prompt_tokens + response.usage.completion_tokens : undefined),
    });
    const completion = toCompletion(value.response, retries, performance.now() - started);
    if (value.ttft !== undefined) completion.timeToFirstTokenMs = roundMs(value.ttft);
    return completion;
  }

  private headers(stream: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    const key = readApiKey(this.options);
    if (key) headers.authorization = `Bearer ${key}`;
    return headers;
  }
}

function parseJson(text: string, context: Record<string, string>): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidResponseError(`model endpoint answered with invalid JSON: ${text.slice(0, 200)}`, { cause: error, context });
  }
}

function parseResponse(json: unknown, context: Record<string, string>): ChatResponse {
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

/** Every count the response gives: cached prompt tokens and reasoning tokens too. */
function toUsage(wire: NonNullable<ChatResponse['usage']>): Usage {
  const usage: Usage = {
    prompt_tokens: wire.prompt_tokens,
    completion_tokens: wire.completion_tokens,
    total_tokens: wire.total_tokens ?? wire.prompt_tokens + wire.completion_tokens,
  };
  const cached = wire.prompt_tokens_details?.cached_tokens;
  const reasoning = wire.completion_tokens_details?.reasoning_tokens;
  if (typeof cached === 'number') usage.cache_read_tokens = cached;
  if (typeof reasoning === 'number') usage.reasoning_tokens = reasoning;
  return usage;
}

function toCompletion(response: ChatResponse, retries: number, latencyMs: number): ChatCompletion {
  const choice = response.choices[0]!;
  const message = choice.message;
  const reasoning = message.reasoning_content ?? message.reasoning ?? undefined;
  return {
    ...(response.id ? { id: response.id } : {}),
    text: message.content ?? '',
    ...(reasoning ? { reasoning } : {}),
    // The SDK's `message.refusal`: the model declined, in its own words.
    ...(message.refusal ? { refusal: message.refusal } : {}),
    toolCalls: (message.tool_calls ?? []).map((call, i) => ({
      // A missing or empty id is made unique, so every call can be answered on its own id.
      id: call.id || `call_${i}`,
      type: 'function' as const,
      function: {
        name: call.function.name,
        // Some servers (Ollama's native shape) send arguments as an object.
        arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
      },
    })),
    finishReason: choice.finish_reason ?? null,
    ...(response.usage ? { usage: toUsage(response.usage) } : {}),
    latencyMs: roundMs(latencyMs),
    retries,
  };
}
