import { describe, expect, it } from 'vitest';
import { buildChatBody, buildMessagesBody, tokenParamFor } from '../../src/model/index.js';

const messages = [{ role: 'system' as const, content: 'be brief' }, { role: 'user' as const, content: 'hi' }];

describe('tokenParamFor()', () => {
  it('gives max_completion_tokens to OpenAI reasoning model names and max_tokens to the rest', () => {
    for (const name of ['o1', 'o1-mini', 'o3', 'o3-mini-2025-01-31', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'openai/o3', 'openai/gpt-5.1']) expect(tokenParamFor(name), name).toBe('max_completion_tokens');
    for (const name of ['gpt-4o', 'gpt-4.1-mini', 'facebook/cwm', 'qwen2.5-coder:7b', 'llama3-70b', 'Qwen/Qwen3-235B-A22B', 'olmo-2', 'ollama']) expect(tokenParamFor(name), name).toBe('max_tokens');
  });
});

describe('buildChatBody()', () => {
  it('omits sampling parameters that are not set', () => {
    const body = buildChatBody('m', { messages, max_tokens: 64 }, { tokenParam: 'max_tokens', stream: false });
    expect(body).toEqual({ model: 'm', messages, max_tokens: 64, stream: false });
  });

  it('sends every set field, the cap under the chosen name, and asks for usage when streaming', () => {
    const body = buildChatBody('o3', { messages, max_tokens: 64, temperature: 0.5, top_p: 0.9, seed: 3, stop: ['x'], reasoning_effort: 'high' }, { tokenParam: 'max_completion_tokens', stream: true });
    expect(body).toEqual({
      model: 'o3', messages, max_completion_tokens: 64, temperature: 0.5, top_p: 0.9, seed: 3, stop: ['x'], reasoning_effort: 'high',
      stream: true, stream_options: { include_usage: true },
    });
  });

  it('lets extra_body override any field, and remove one with null', () => {
    const body = buildChatBody('m', { messages, max_tokens: 64, temperature: 0, extra_body: { temperature: 0.7, max_tokens: null, stream: null, top_k: 20, model: 'other' } }, { tokenParam: 'max_tokens', stream: false });
    expect(body).toEqual({ model: 'other', messages, temperature: 0.7, top_k: 20 });
  });

  it('never sends Anthropic thinking blocks to an OpenAI-compatible endpoint', () => {
    const body = buildChatBody('m', { messages: [{ role: 'assistant', content: 'x', thinking_blocks: [{ type: 'thinking', thinking: 't', signature: 's' }] }] }, { tokenParam: 'max_tokens', stream: false });
    expect(body.messages).toEqual([{ role: 'assistant', content: 'x' }]);
  });
});

describe('buildMessagesBody()', () => {
  const call = { id: 'toolu_1', type: 'function' as const, function: { name: 'bash', arguments: '{"command":"ls"}' } };

  it('maps a function-calling conversation to Messages API turns, thinking first, caching the system prompt and the prefix', () => {
    const body = buildMessagesBody('claude', {
      messages: [
        ...messages,
        { role: 'assistant', content: 'Looking.', tool_calls: [call], thinking_blocks: [{ type: 'thinking', thinking: 'list files', signature: 'sig-1' }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'a.py' },
      ],
      tools: [{ type: 'function', function: { name: 'bash', description: 'run', parameters: { type: 'object' } } }],
      max_tokens: 100,
      temperature: 0.2,
      stop: ['END'],
    }, { cache: true });
    expect(body).toEqual({
      model: 'claude',
      max_tokens: 100,
      temperature: 0.2,
      stop_sequences: ['END'],
      system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'bash', description: 'run', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: 'list files', signature: 'sig-1' },
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'ls' } },
        ] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.py', cache_control: { type: 'ephemeral' } }] },
      ],
    });
  });

  it('sends CWM observations as user text, merging consecutive user turns, and honours extra_body', () => {
    const body = buildMessagesBody('claude', {
      messages: [
        ...messages,
        { role: 'assistant', content: '<tool: bash>\nls\n</tool>' },
        { role: 'tool', name: 'bash', content: '<output>\na.py\n</output>' },
        { role: 'user', content: 'FormatError: No tool calls found' },
      ],
      max_tokens: 100,
      extra_body: { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 2048 },
    }, { cache: false });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: '<tool: bash>\nls\n</tool>' }] },
      { role: 'user', content: [{ type: 'text', text: '<output>\na.py\n</output>' }, { type: 'text', text: 'FormatError: No tool calls found' }] },
    ]);
    expect(body).toMatchObject({ max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, system: [{ type: 'text', text: 'be brief' }] });
    expect(JSON.stringify(body)).not.toContain('cache_control');
  });
});
