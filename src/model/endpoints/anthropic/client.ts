import { estimateRequestTokens, readApiKey, retryOptionsOf, type ClientOptions } from '../../client-options.js';
import { InvalidResponseError } from '../../errors.js';
import { postWithRetries, roundMs } from '../../transport.js';
import type { ChatCompletion, ChatRequest, ModelClient, ThinkingBlock, ToolCall, Usage } from '../../types.js';
import { readMessagesStream } from './stream.js';
import { buildMessagesBody, MessagesResponseSchema, type MessagesResponse } from './wire.js';

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * e.g. baseUrl https://api.anthropic.com (the client appends /v1/messages, or /messages to
 * a URL ending in /v1); the key is sent as `x-api-key`.
 */
export interface AnthropicClientOptions extends ClientOptions {
  /** `cache_control` on the system prompt and the conversation prefix (default on). */
  promptCache?: boolean;
  /** Ask for server-sent events (`stream: true`): long answers are not cut by idle proxies, and time to first token is recorded. */
  stream?: boolean;
}

/**
 * Anthropic's native Messages API behind the same interface as the chat-completions
 * client: tool use, extended thinking (kept with signatures, sent back on later turns),
 * prompt caching with cache read/write tokens in the usage, streamed or not (a streamed
 * answer is recorded exactly as the same answer unstreamed).
 */
export class AnthropicClient implements ModelClient {
  private readonly url: string;

  constructor(private readonly options: AnthropicClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const stream = this.options.stream === true;
    const wire = buildMessagesBody(this.options.model, request, { cache: this.options.promptCache !== false });
    const body = JSON.stringify(stream ? { ...wire, stream: true } : wire);
    const context = { url: this.url, model: this.options.model };
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
        if (!stream) return { message: parseMessage(await response.text(), context) };
        const { json, firstTokenAt } = await readMessagesStream(response, context);
        return { message: checkMessage(json, context), ttft: firstTokenAt === undefined ? undefined : firstTokenAt - sentAt };
      },
      actualTokens: ({ message }) => (message.usage ? toUsage(message.usage).total_tokens : undefined),
    });
    const completion = toCompletion(value.message, retries, performance.now() - started);
    if (value.ttft !== undefined) completion.timeToFirstTokenMs = roundMs(value.ttft);
    return completion;
  }

  private headers(stream: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', 'anthropic-version': ANTHROPIC_VERSION };
    const key = readApiKey(this.options);
    if (key) headers['x-api-key'] = key;
    return headers;
  }
}

function parseMessage(text: string, context: Record<string, string>): MessagesResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidResponseError(`model endpoint answered with invalid JSON: ${text.slice(0, 200)}`, { cause: error, context });
  }
  return checkMessage(json, context);
}

function checkMessage(json: unknown, context: Record<string, string>): MessagesResponse {
  const parsed = MessagesResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResponseError(`model endpoint answered with something other than a message: field ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { context });
  }
  return parsed.data;
}

/** Anthropic counts uncached input apart from cache writes and reads; forager's prompt_tokens is their sum. */
function toUsage(wire: NonNullable<MessagesResponse['usage']>): Usage {
  const write = wire.cache_creation_input_tokens ?? 0;
  const read = wire.cache_read_input_tokens ?? 0;
  const prompt = wire.input_tokens + write + read;
  return {
    prompt_tokens: prompt,
    completion_tokens: wire.output_tokens,
    total_tokens: prompt + wire.output_tokens,
    cache_read_tokens: read,
    cache_write_tokens: write,
  };
}

function toCompletion(message: MessagesResponse, retries: number, latencyMs: number): ChatCompletion {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content as Array<Record<string, unknown>>) {
    if (block.type === 'text') texts.push(block.text as string);
    else if (block.type === 'thinking') {
      thoughts.push(block.thinking as string);
      thinkingBlocks.push({ type: 'thinking', thinking: block.thinking as string, signature: block.signature as string });
    } else if (block.type === 'redacted_thinking') thinkingBlocks.push({ type: 'redacted_thinking', data: block.data as string });
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id as string, type: 'function', function: { name: block.name as string, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  return {
    ...(message.id ? { id: message.id } : {}),
    text: texts.join(''),
    ...(thoughts.length ? { reasoning: thoughts.join('\n\n') } : {}),
    ...(thinkingBlocks.length ? { thinkingBlocks } : {}),
    toolCalls,
    finishReason: message.stop_reason ?? null,
    ...(message.usage ? { usage: toUsage(message.usage) } : {}),
    latencyMs: roundMs(latencyMs),
    retries,
  };
}
