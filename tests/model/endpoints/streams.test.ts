import { describe, expect, it } from 'vitest';
import { readMessagesStream } from '../../../src/model/endpoints/anthropic/stream.js';
import { readChatStream } from '../../../src/model/endpoints/openai/stream.js';

const BOUNDS = { maxBytes: 1 << 20, idleMs: 5_000 };
const anthropic = (events: Array<Record<string, unknown>>) => new Response(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
const openai = (chunks: Array<Record<string, unknown>>) => new Response(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
const start = (usage: Record<string, unknown>) => ({ type: 'message_start', message: { id: 'msg', type: 'message', role: 'assistant', content: [], stop_reason: null, usage } });

describe('readMessagesStream() - as @anthropic-ai/sdk accumulates a stream', () => {
  it('keeps the start\'s usage where message_delta carries null, and takes what it carries', async () => {
    const { json } = await readMessagesStream(anthropic([
      start({ input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 2_000, cache_read_input_tokens: 5_000 }),
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens_details: { thinking_tokens: 7 } } },
      { type: 'message_stop' },
    ]), BOUNDS, {});
    expect((json as any).usage).toEqual({ input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 2_000, cache_read_input_tokens: 5_000, output_tokens_details: { thinking_tokens: 7 } });
  });

  it('replaces a thinking block\'s signature with each signature_delta, and keeps a cut tool input as the text that came', async () => {
    const { json, rawInputs } = await readMessagesStream(anthropic([
      start({ input_tokens: 1, output_tokens: 1 }),
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'first' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'second' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"command": "ec' } },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_details: null }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ]), BOUNDS, {});
    expect((json as any).content[0]).toEqual({ type: 'thinking', thinking: 'hm', signature: 'second' });
    expect(rawInputs.get('toolu_1')).toBe('{"command": "ec');
    expect((json as any).stop_reason).toBe('max_tokens');
  });
});

describe('readChatStream() - as openai-node\'s ChatCompletionStream accumulates a stream', () => {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' };
  it('appends refusal deltas into the message\'s refusal, content staying null', async () => {
    const { json } = await readChatStream(openai([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, refusal: '' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { refusal: "I can't" }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { refusal: ' help.' }, finish_reason: 'stop' }] },
    ]), BOUNDS, {});
    expect((json as any).choices[0]).toEqual({ finish_reason: 'stop', message: { content: null, refusal: "I can't help." } });
  });

  it('takes a call\'s id and name from any delta that has them (the last wins), appending its arguments', async () => {
    const call = (d: Record<string, unknown>) => ({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...d }] }, finish_reason: null }] });
    const { json } = await readChatStream(openai([
      call({ id: 'c1', function: { arguments: '{"a"' } }),
      call({ function: { arguments: ': 1}', name: 'bash' } }),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      { ...base, choices: [], usage: null },
    ]), BOUNDS, {});
    expect(json).toMatchObject({ choices: [{ message: { tool_calls: [{ id: 'c1', function: { name: 'bash', arguments: '{"a": 1}' } }] } }], usage: { total_tokens: 5 } });
  });
});
