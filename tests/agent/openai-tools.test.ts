import { describe, expect, it } from 'vitest';
import { openaiToolsProtocol, OPENAI_TOOLS } from '../../src/agent/index.js';
import { parseArguments, IGNORED_CALL } from '../../src/agent/protocols/openai-tools.js';
import type { ChatCompletion } from '../../src/model/index.js';

function answer(calls: Array<[string, string]>, text = ''): ChatCompletion {
  return {
    text,
    toolCalls: calls.map(([name, args], i) => ({ id: `c${i}`, type: 'function', function: { name, arguments: args } })),
    finishReason: 'tool_calls', latencyMs: 1, retries: 0,
  };
}

describe('openaiToolsProtocol()', () => {
  const protocol = openaiToolsProtocol();

  it('offers the five actions as function tools with JSON schemas', () => {
    expect(OPENAI_TOOLS.map((t) => t.function.name)).toEqual(['bash', 'view', 'create', 'edit', 'submit']);
    expect(protocol.tools()?.find((t) => t.function.name === 'edit')?.function.parameters).toMatchObject({ required: ['path', 'search', 'replace'] });
  });

  it('reads a tool call into an action and answers it on its id', () => {
    const turn = protocol.parse(answer([['edit', JSON.stringify({ path: 'a.py', search: 'a - b', replace: 'a + b' })]]));
    expect(turn).toMatchObject({ ok: true, action: { tool: 'edit', path: 'a.py', search: 'a - b', replace: 'a + b' }, callId: 'c0' });
    expect(protocol.replyMessages(turn, 'done')).toEqual([{ role: 'tool', tool_call_id: 'c0', content: 'done' }]);
  });

  it('carries out the first of several calls and answers the others as ignored', () => {
    const turn = protocol.parse(answer([['bash', '{"command":"ls"}'], ['bash', '{"command":"pwd"}']]));
    expect(turn).toMatchObject({ ok: true, action: { tool: 'bash', command: 'ls' }, ignoredCallIds: ['c1'] });
    expect(protocol.replyMessages(turn, 'a.py')).toEqual([
      { role: 'tool', tool_call_id: 'c0', content: 'a.py' },
      { role: 'tool', tool_call_id: 'c1', content: IGNORED_CALL },
    ]);
  });

  it('answers a response without a tool call with a user FormatError', () => {
    const turn = protocol.parse(answer([], 'I am done, I think.'));
    expect(turn).toEqual({ ok: false, error: expect.stringMatching(/^FormatError: No tool call found/), callIds: [] });
    expect(protocol.replyMessages(turn, 'FormatError: x')).toEqual([{ role: 'user', content: 'FormatError: x' }]);
    expect(protocol.assistantMessage(answer([], 'hi'))).toEqual({ role: 'assistant', content: 'hi' });
  });

  it('answers bad arguments on the call id, so the conversation stays valid', () => {
    const turn = protocol.parse(answer([['bash', '{"command": ']]));
    expect(turn).toMatchObject({ ok: false, error: expect.stringMatching(/^FormatError: The arguments of bash are not valid JSON/), callIds: ['c0'] });
    expect(protocol.replyMessages(turn, 'FormatError: …')).toEqual([{ role: 'tool', tool_call_id: 'c0', content: 'FormatError: …' }]);
  });
});

describe('parseArguments()', () => {
  it('refuses unknown tools, non-objects, missing and unexpected fields', () => {
    expect(parseArguments('python', '{}')).toEqual({ error: expect.stringMatching(/Unknown tool 'python'. The tools are: bash, view, create, edit, submit/) });
    expect(parseArguments('bash', '"ls"')).toEqual({ error: 'FormatError: The arguments of bash must be a JSON object.' });
    expect(parseArguments('edit', '{"path":"a.py","search":"x"}')).toEqual({ error: expect.stringMatching(/Invalid arguments for edit: replace: /) });
    expect(parseArguments('bash', '{"command":"ls","cwd":"/"}')).toEqual({ error: expect.stringMatching(/Invalid arguments for bash: .*cwd/) });
  });

  it('accepts optional fields and empty arguments for submit', () => {
    expect(parseArguments('view', '{"path":"a.py","start_line":2,"end_line":5}')).toEqual({ tool: 'view', path: 'a.py', start_line: 2, end_line: 5 });
    expect(parseArguments('submit', '')).toEqual({ tool: 'submit' });
  });
});
