import { estimateRequestTokens, limitsOf, readApiKey, retryOptionsOf, type ClientOptions } from '../../client-options.js';
import { InvalidResponseError } from '../../errors.js';
import { readBodyText } from '../../http/read-body.js';
import { postWithRetries, roundMs } from '../../transport.js';
import type { ChatCompletion, ChatRequest, ModelClient } from '../../types.js';
import { toCompletion, toUsage } from './completion.js';
import { readMessagesStream } from './stream.js';
import { buildMessagesBody, MessagesResponseSchema, type MessagesResponse } from './wire.js';

/**
 * The `anthropic-version` sent unless the agent names another (`anthropic_version`):
 * the one @anthropic-ai/sdk 1.x sends (1.17.0 checked). Under it the Messages API takes
 * no `temperature`, `top_p` or `top_k` (see sampling.ts).
 */
export const ANTHROPIC_VERSION = '2026-10-21';

/**
 * e.g. baseUrl https://api.anthropic.com (the client appends /v1/messages, or /messages to
 * a URL ending in /v1); the key is sent as `x-api-key`.
 */
export interface AnthropicClientOptions extends ClientOptions {
  /** `cache_control` on the system prompt and the conversation prefix (default on). */
  promptCache?: boolean;
  /** Ask for server-sent events (`stream: true`): long answers are not cut by idle proxies, and time to first token is recorded. */
  stream?: boolean;
  /** The `anthropic-version` header (default ANTHROPIC_VERSION). */
  anthropicVersion?: string;
}

/**
 * Anthropic's native Messages API behind the same interface as the chat-completions
 * client: tool use, extended thinking (kept with signatures, sent back on later turns),
 * prompt caching with cache read/write tokens in the usage, refusals, streamed or not (a
 * streamed answer is recorded exactly as the same answer unstreamed).
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
        if (!stream) return { message: parseMessage(await readBodyText(response, limits.maxResponseBytes, context), context), rawInputs: new Map<string, string>() };
        const { json, firstTokenAt, rawInputs } = await readMessagesStream(response, { maxBytes: limits.maxResponseBytes, idleMs: limits.streamIdleMs }, context);
        return { message: checkMessage(json, context), rawInputs, ttft: firstTokenAt === undefined ? undefined : firstTokenAt - sentAt };
      },
      actualTokens: ({ message }) => (message.usage ? toUsage(message.usage).total_tokens : undefined),
    });
    const completion = toCompletion(value.message, value.rawInputs, retries, performance.now() - started);
    if (value.ttft !== undefined) completion.timeToFirstTokenMs = roundMs(value.ttft);
    return completion;
  }

  private headers(stream: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': this.options.anthropicVersion ?? ANTHROPIC_VERSION,
    };
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
