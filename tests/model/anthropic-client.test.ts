import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicClient, AuthenticationError, BadRequestError, type AnthropicClientOptions, type ChatMessage } from '../../src/model/index.js';
import { anthropicEvents, anthropicMessage, startAnthropicServer, type AnthropicServer } from './support/anthropic-server.js';

let server: AnthropicServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, options: Partial<AnthropicClientOptions> = {}): AnthropicClient {
  return new AnthropicClient({ baseUrl: url, model: 'claude-test', timeoutMs: 5_000, maxRetries: 2, baseDelayMs: 10, ...options });
}

const tools = [{ type: 'function' as const, function: { name: 'bash', description: 'run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }];

describe('AnthropicClient.complete()', () => {
  it('reads thinking (with its signature), text, tool use and cache tokens, and sends the thinking back on the next turn', async () => {
    server = await startAnthropicServer([
      () => ({ body: anthropicMessage({ thinking: 'look first', text: 'Listing.', toolUses: [{ name: 'bash', input: { command: 'ls' }, id: 'toolu_a' }], usage: { input_tokens: 10, output_tokens: 30, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 0 } }) }),
      () => ({ body: anthropicMessage({ text: 'Done.', usage: { input_tokens: 20, output_tokens: 5, cache_creation_input_tokens: 40, cache_read_input_tokens: 1_000 } }) }),
    ]);
    const c = client(server.url);
    const messages: ChatMessage[] = [{ role: 'system', content: 'You fix code.' }, { role: 'user', content: 'Fix it.' }];
    const first = await c.complete({ messages, tools, max_tokens: 512 });
    expect(first).toMatchObject({
      text: 'Listing.',
      reasoning: 'look first',
      thinkingBlocks: [{ type: 'thinking', thinking: 'look first', signature: expect.stringMatching(/^sig-/) }],
      toolCalls: [{ id: 'toolu_a', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }],
      finishReason: 'tool_use',
      usage: { prompt_tokens: 1_010, completion_tokens: 30, total_tokens: 1_040, cache_read_tokens: 0, cache_write_tokens: 1_000 },
    });
    const sent = server.requests[0]!;
    expect(sent.headers['anthropic-version']).toBe('2026-10-21');
    expect(sent.body).toMatchObject({ model: 'claude-test', max_tokens: 512, system: [{ type: 'text', text: 'You fix code.', cache_control: { type: 'ephemeral' } }], tools: [{ name: 'bash', input_schema: tools[0]!.function.parameters }] });
    expect(sent.body.messages.at(-1).content.at(-1).cache_control).toEqual({ type: 'ephemeral' });

    messages.push({ role: 'assistant', content: first.text, tool_calls: first.toolCalls, thinking_blocks: first.thinkingBlocks }, { role: 'tool', tool_call_id: 'toolu_a', content: 'calc.py' });
    const second = await c.complete({ messages, tools, max_tokens: 512 });
    expect(server.refusals).toEqual([]);
    expect(second.usage).toEqual({ prompt_tokens: 1_060, completion_tokens: 5, total_tokens: 1_065, cache_read_tokens: 1_000, cache_write_tokens: 40 });
    expect(server.requests[1]!.body.messages[1].content[0]).toEqual(first.thinkingBlocks![0]);
  });

  it('is refused by the stand-in, as by the real API, when the thinking blocks do not come back', async () => {
    server = await startAnthropicServer([
      () => ({ body: anthropicMessage({ thinking: 'hmm', toolUses: [{ name: 'bash', input: { command: 'ls' }, id: 'toolu_b' }] }) }),
      () => ({ body: anthropicMessage({ text: 'never sent' }) }),
    ]);
    const c = client(server.url);
    const first = await c.complete({ messages: [{ role: 'user', content: 'go' }], tools, max_tokens: 64 });
    const error = await c.complete({
      messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: null, tool_calls: first.toolCalls }, { role: 'tool', tool_call_id: 'toolu_b', content: 'x' }],
      tools, max_tokens: 64,
    }).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect(server.refusals[0]).toMatch(/thinking/);
  });

  it('sends the key named by api_key_env as x-api-key, and maps a 401 to AuthenticationError without retrying', async () => {
    server = await startAnthropicServer([() => ({ body: anthropicMessage({ text: 'hi' }) })], { apiKey: 'sk-ant-test' });
    const error = await client(server.url, { apiKeyEnv: 'ANTHROPIC_TEST_KEY', env: {} }).complete({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(1);
    const ok = await client(`${server.url}/v1`, { apiKeyEnv: 'ANTHROPIC_TEST_KEY', env: { ANTHROPIC_TEST_KEY: 'sk-ant-test' } }).complete({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
    expect(ok.text).toBe('hi');
  });

  it('with thinking on, sends a turn without thinking blocks (a fork\'s replayed turn) as text, which the API then accepts', async () => {
    server = await startAnthropicServer([
      () => ({ body: anthropicMessage({ thinking: 'go on', toolUses: [{ name: 'bash', input: { command: 'git diff' }, id: 'toolu_own' }] }) }),
      () => ({ body: anthropicMessage({ thinking: 'done', text: 'Fixed.' }) }),
    ]);
    const replayed: ChatMessage[] = [
      { role: 'user', content: 'Fix it.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'recorded_0', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
      { role: 'tool', tool_call_id: 'recorded_0', content: 'calc.py' },
    ];
    const extra_body = { thinking: { type: 'enabled', budget_tokens: 1_024 } };
    const own = await client(server.url).complete({ messages: replayed, tools, max_tokens: 2_048, extra_body });
    expect(server.refusals).toEqual([]);
    expect(server.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Fix it.' }] },
      { role: 'assistant', content: [{ type: 'text', text: '[bash call recorded_0] {"command":"ls"}' }] },
      { role: 'user', content: [{ type: 'text', text: '[result of bash call recorded_0]\ncalc.py', cache_control: { type: 'ephemeral' } }] },
    ]);
    // The model's own turn, thinking first, goes back as tool blocks.
    await client(server.url).complete({
      messages: [...replayed, { role: 'assistant', content: null, tool_calls: own.toolCalls, thinking_blocks: own.thinkingBlocks }, { role: 'tool', tool_call_id: 'toolu_own', content: 'diff' }],
      tools, max_tokens: 2_048, extra_body,
    });
    expect(server.refusals).toEqual([]);
    expect(server.requests[1]!.body.messages.at(-2).content.map((b: { type: string }) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(server.requests[1]!.body.messages.at(-1).content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_own' });
  });

  it('is refused by the stand-in, as by the real API, when thinking is on and the last tool turn has no thinking block', async () => {
    server = await startAnthropicServer([() => ({ body: anthropicMessage({ text: 'never sent' }) })]);
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'm', max_tokens: 2_048, thinking: { type: 'enabled', budget_tokens: 1_024 },
        messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'r0', name: 'bash', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'r0', content: 'x' }] }],
      }),
    });
    expect(response.status).toBe(400);
    expect(server.refusals[0]).toMatch(/must start with a thinking block/);
  });

  it('retries an overloaded (529) endpoint', async () => {
    server = await startAnthropicServer([
      () => ({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }),
      () => ({ body: anthropicMessage({ text: 'back' }) }),
    ]);
    const result = await client(server.url).complete({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
    expect(result).toMatchObject({ text: 'back', retries: 1 });
  });
});

describe('AnthropicClient.complete() with stream: true', () => {
  const turn = () => anthropicMessage({ thinking: 'look at the tests first', text: 'Running them.', toolUses: [{ name: 'bash', input: { command: 'python3 -m pytest -q', cwd: '/testbed' }, id: 'toolu_s' }], usage: { input_tokens: 12, output_tokens: 44, cache_creation_input_tokens: 900, cache_read_input_tokens: 100 } });

  it('records a streamed answer exactly as the same answer unstreamed, with time to first token, and its thinking goes back intact', async () => {
    const message = turn();
    server = await startAnthropicServer([() => ({ body: message }), () => ({ body: message, delayMs: 15 }), () => ({ body: anthropicMessage({ text: 'Done.' }) })]);
    const ask: ChatMessage[] = [{ role: 'user', content: 'Fix it.' }];
    const plain = await client(server.url).complete({ messages: ask, tools, max_tokens: 256 });
    const streamed = await client(server.url, { stream: true }).complete({ messages: ask, tools, max_tokens: 256 });
    expect(server.requests[1]!.body.stream).toBe(true);
    expect(server.requests[1]!.headers.accept).toBe('text/event-stream');
    expect(server.requests[0]!.body).not.toHaveProperty('stream');
    const { latencyMs: _a, timeToFirstTokenMs: ttft, ...streamedRest } = streamed;
    const { latencyMs: _b, ...plainRest } = plain;
    expect(streamedRest).toEqual(plainRest);
    expect(streamed).toMatchObject({ toolCalls: [{ id: 'toolu_s', function: { arguments: '{"command":"python3 -m pytest -q","cwd":"/testbed"}' } }], usage: { prompt_tokens: 1_012, completion_tokens: 44 } });
    expect(plain.timeToFirstTokenMs).toBeUndefined();
    // The first delta follows message_start, ping and the block's start, 15 ms apart; the whole answer takes many more.
    expect(ttft).toBeGreaterThanOrEqual(40);
    expect(ttft!).toBeLessThan(streamed.latencyMs);
    // The stand-in refuses a next turn whose thinking blocks did not come back byte for byte, signature included.
    const next = await client(server.url, { stream: true }).complete({
      messages: [...ask, { role: 'assistant', content: streamed.text, tool_calls: streamed.toolCalls, thinking_blocks: streamed.thinkingBlocks }, { role: 'tool', tool_call_id: 'toolu_s', content: '1 passed' }],
      tools, max_tokens: 256,
    });
    expect(server.refusals).toEqual([]);
    expect(next.text).toBe('Done.');
  });

  it('retries a stream cut before message_stop, and an overloaded error event; an invalid-request event is final', async () => {
    const message = turn();
    const events = anthropicEvents(message);
    server = await startAnthropicServer([
      () => ({ body: message, sse: events.slice(0, 7), cut: true }),
      () => ({ body: message, sse: [...events.slice(0, 3), JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })] }),
      () => ({ body: message }),
      () => ({ body: message, sse: [JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } })] }),
    ]);
    const c = client(server.url, { stream: true, maxRetries: 3 });
    const result = await c.complete({ messages: [{ role: 'user', content: 'go' }], tools, max_tokens: 64 });
    expect(result).toMatchObject({ text: 'Running them.', retries: 2, toolCalls: [{ id: 'toolu_s' }], usage: { completion_tokens: 44 } });
    const refused = await c.complete({ messages: [{ role: 'user', content: 'go' }], max_tokens: 64 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as Error).message).toContain('prompt is too long');
    expect(server.requests).toHaveLength(4);
  });
});
