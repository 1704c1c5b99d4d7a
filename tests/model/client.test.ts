import { afterEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  ChatClient,
  createRateLimiter,
  RateLimitError,
  type ChatClientOptions,
} from '../../src/model/index.js';
import { completion, startChatServer, type ChatServer } from './support/chat-server.js';
import { asReasoningModel, asStreaming } from './support/endpoints.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, options: Partial<ChatClientOptions> = {}): ChatClient {
  return new ChatClient({ baseUrl: url, model: 'test-model', timeoutMs: 5_000, maxRetries: 2, baseDelayMs: 10, ...options });
}

const ask = { messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 16 };

describe('ChatClient.complete()', () => {
  it('sends the model, messages and sampling parameters and reads text, reasoning, tool calls and usage', async () => {
    server = await startChatServer([{
      body: completion({ content: 'ok', reasoning_content: 'thinking', tool_calls: [{ name: 'bash', arguments: { command: 'ls' } }], usage: { prompt_tokens: 7, completion_tokens: 3 } }),
    }]);
    const result = await client(server.url).complete({ ...ask, temperature: 0.2, seed: 7, extra_body: { top_k: 5 } });
    expect(server.requests[0]!.body).toMatchObject({ model: 'test-model', temperature: 0.2, seed: 7, top_k: 5, max_tokens: 16, messages: ask.messages });
    expect(result).toMatchObject({
      text: 'ok',
      reasoning: 'thinking',
      toolCalls: [{ id: 'call_0', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      finishReason: 'tool_calls',
      retries: 0,
    });
  });

  it('reads the API key from the named environment variable at request time, and only sends it as a header', async () => {
    server = await startChatServer([{}, {}]);
    const env: Record<string, string> = {};
    const c = client(server.url, { apiKeyEnv: 'TEST_MODEL_KEY', env });
    await c.complete(ask);
    env.TEST_MODEL_KEY = 'sk-secret-123';
    await c.complete(ask);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[1]!.headers.authorization).toBe('Bearer sk-secret-123');
    expect(JSON.stringify(server.requests[1]!.body)).not.toContain('sk-secret-123');
  });

  it('waits as long as Retry-After says after a 429, then succeeds and counts the retry', async () => {
    server = await startChatServer([{ status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } }, { body: completion({ content: 'done' }) }]);
    const result = await client(server.url).complete(ask);
    const waited = server.requests[1]!.at - server.requests[0]!.at;
    expect(result.text).toBe('done');
    expect(result.retries).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(1_500);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const at = () => new Date(Date.now() + 2_000).toUTCString();
    server = await startChatServer([() => ({ status: 503, headers: { 'retry-after': at() }, body: {} }), {}]);
    const result = await client(server.url).complete(ask);
    // HTTP dates have one-second resolution: the wait is between 1 and 2 seconds.
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(result.retries).toBe(1);
  });

  it('gives up with RateLimitError once the retries run out', async () => {
    const limited = { status: 429, body: { error: 'no' } };
    server = await startChatServer([limited, limited, limited, {}]);
    await expect(client(server.url, { maxRetries: 2 }).complete(ask)).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    server = await startChatServer([{ status: 400, body: { error: 'bad' } }, {}]);
    const error = await client(server.url).complete(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a server that hangs, retries, then gives up with APIConnectionTimeoutError', async () => {
    server = await startChatServer([{ hang: true }, { hang: true }, {}]);
    const started = performance.now();
    const error = await client(server.url, { timeoutMs: 300, maxRetries: 1 }).complete(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('recovers when a hanging attempt is followed by an answer', async () => {
    server = await startChatServer([{ hang: true }, { body: completion({ content: 'late but here' }) }]);
    const result = await client(server.url, { timeoutMs: 300 }).complete(ask);
    expect(result).toMatchObject({ text: 'late but here', retries: 1 });
  });

  it('reports a refused connection as APIConnectionError after retrying', async () => {
    server = await startChatServer([]);
    const url = server.url;
    await server.close();
    server = undefined;
    const error = await client(url, { maxRetries: 1 }).complete(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('stops waiting when its signal aborts', async () => {
    server = await startChatServer([{ hang: true }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await client(server.url).complete(ask, controller.signal).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ABORTED');
  });
});

describe('ChatClient.complete() against endpoint behaviours', () => {
  const solve = (content: string) => () => ({ body: completion({ content, usage: { prompt_tokens: 900, completion_tokens: 300 } }) });

  it('sends max_completion_tokens to a reasoning model, which refuses max_tokens, and keeps cached and reasoning tokens', async () => {
    server = await startChatServer([asReasoningModel(solve('ok'), { cached: 512, reasoning: 256 }), asReasoningModel(solve('ok'), { cached: 0, reasoning: 0 })]);
    const result = await new ChatClient({ baseUrl: server.url, model: 'o3-mini', timeoutMs: 5_000, maxRetries: 0 }).complete({ ...ask, reasoning_effort: 'low' });
    expect(server.requests[0]!.body).toMatchObject({ max_completion_tokens: 16, reasoning_effort: 'low' });
    expect(server.requests[0]!.body).not.toHaveProperty('temperature');
    expect(result.usage).toEqual({ prompt_tokens: 900, completion_tokens: 300, total_tokens: 1200, cache_read_tokens: 512, reasoning_tokens: 256 });
    // The same model forced onto max_tokens gets the endpoint's 400, which is final.
    const refused = await new ChatClient({ baseUrl: server.url, model: 'o3-mini', timeoutMs: 5_000, maxRetries: 2, tokenParam: 'max_tokens' }).complete(ask).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as Error).message).toContain("Use 'max_completion_tokens' instead");
    expect(server.requests).toHaveLength(2);
  });

  it('records a streamed answer exactly as the same answer unstreamed, with time to first token', async () => {
    const answer = () => ({ body: completion({ content: 'Let me run it.', reasoning_content: 'think first', tool_calls: [{ name: 'bash', arguments: { command: 'python3 -m pytest -q' }, id: 'c1' }, { name: 'view', arguments: { path: 'a.py' }, id: 'c2' }], usage: { prompt_tokens: 40, completion_tokens: 12 } }) });
    server = await startChatServer([answer, asStreaming(answer, 20)]);
    const plain = await client(server.url).complete(ask);
    const streamed = await client(server.url, { stream: true }).complete(ask);
    expect(server.requests[1]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const { latencyMs: _a, timeToFirstTokenMs: ttft, ...streamedRest } = streamed;
    const { latencyMs: _b, ...plainRest } = plain;
    expect(streamedRest).toEqual(plainRest);
    expect(plain.timeToFirstTokenMs).toBeUndefined();
    // The first delta comes after two 20 ms pauses (role, then reasoning); the whole answer after many more.
    expect(ttft).toBeGreaterThanOrEqual(35);
    expect(ttft!).toBeLessThan(streamed.latencyMs);
  });

  it('gives back to the rate limiter what the real usage did not spend', async () => {
    server = await startChatServer([{ body: completion({ content: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }) }, {}]);
    const limiter = createRateLimiter({ tokensPerMinute: 6_000 });
    const settled: Array<[number, number]> = [];
    const spy = { acquire: limiter.acquire, settle: (reserved: number, actual: number) => { settled.push([reserved, actual]); limiter.settle!(reserved, actual); } };
    await client(server.url, { rateLimiter: spy }).complete({ ...ask, max_tokens: 5_000 });
    expect(settled).toHaveLength(1);
    expect(settled[0]![0]).toBeGreaterThan(5_000);
    expect(settled[0]![1]).toBe(15);
    // Without the correction a second 5 000-token request would wait most of a minute.
    const started = performance.now();
    await client(server.url, { rateLimiter: spy }).complete({ ...ask, max_tokens: 5_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
