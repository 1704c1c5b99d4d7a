import { describe, expect, it } from 'vitest';
import { getToolFormat, OPENAI_TOOLS } from '../../../src/agent/index.js';
import { parseArguments } from '../../../src/agent/formats/index.js';
import type { ChatCompletion } from '../../../src/model/index.js';

function answer(calls: Array<[string, string]>, text = ''): ChatCompletion {
  return {
    text,
    toolCalls: calls.map(([name, args], i) => ({ id: `c${i}`, type: 'function', function: { name, arguments: args } })),
    finishReason: 'tool_calls', latencyMs: 1, retries: 0,
  };
}

describe('the openai tool format', () => {
  const format = getToolFormat('openai');

  it('offers the five actions as function tools with JSON schemas', () => {
    expect(OPENAI_TOOLS.map((t) => t.function.name)).toEqual(['bash', 'view', 'create', 'edit', 'submit']);
    expect(format.tools()?.find((t) => t.function.name === 'edit')?.function.parameters).toMatchObject({ required: ['path', 'search', 'replace'] });
  });

  it('reads a tool call into an action and answers it on its id', () => {
    const turn = format.parse(answer([['edit', JSON.stringify({ path: 'a.py', search: 'a - b', replace: 'a + b' })]]));
    expect(turn).toEqual({ calls: [{ ok: true, id: 'c0', name: 'edit', action: { tool: 'edit', path: 'a.py', search: 'a - b', replace: 'a + b' } }] });
    expect(format.replyMessages(turn, ['done'])).toEqual([{ role: 'tool', tool_call_id: 'c0', content: 'done' }]);
  });

  it('reads every call of an answer, in order, and answers each on its id', () => {
    const turn = format.parse(answer([['bash', '{"command":"ls"}'], ['bash', '{"command":"pwd"}']]));
    expect(turn.calls.map((c) => (c.ok ? c.action : null))).toEqual([{ tool: 'bash', command: 'ls' }, { tool: 'bash', command: 'pwd' }]);
    expect(format.replyMessages(turn, ['a.py', '/work'])).toEqual([
      { role: 'tool', tool_call_id: 'c0', content: 'a.py' },
      { role: 'tool', tool_call_id: 'c1', content: '/work' },
    ]);
  });

  it('answers a response without a tool call with a user FormatError, named once', () => {
    const turn = format.parse(answer([], 'I am done, I think.'));
    expect(turn).toEqual({ calls: [], problem: { name: 'FormatError', message: expect.stringMatching(/^No tool call found/) } });
    expect(format.renderError(turn.problem!)).toMatch(/^FormatError: No tool call found/);
    expect(format.replyMessages(turn, ['FormatError: x'])).toEqual([{ role: 'user', content: 'FormatError: x' }]);
    expect(format.assistantMessage(answer([], 'hi'))).toEqual({ role: 'assistant', content: 'hi' });
  });

  it('answers bad arguments on the call id, so the conversation stays valid', () => {
    const turn = format.parse(answer([['bash', '{"command": ']]));
    expect(turn.calls[0]).toMatchObject({ ok: false, id: 'c0', problem: { name: 'FormatError', message: expect.stringMatching(/^The arguments of bash are not valid JSON/) } });
    expect(format.replyMessages(turn, ['FormatError: …'])).toEqual([{ role: 'tool', tool_call_id: 'c0', content: 'FormatError: …' }]);
  });
});

describe('parseArguments()', () => {
  it('refuses unknown tools, non-objects, missing and unexpected fields', () => {
    expect(parseArguments('python', '{}')).toEqual({ name: 'FormatError', message: expect.stringMatching(/Unknown tool 'python'. The tools are: bash, view, create, edit, submit/) });
    expect(parseArguments('bash', '"ls"')).toEqual({ name: 'FormatError', message: 'The arguments of bash must be a JSON object.' });
    expect(parseArguments('edit', '{"path":"a.py","search":"x"}')).toMatchObject({ message: expect.stringMatching(/Invalid arguments for edit: replace: /) });
    expect(parseArguments('bash', '{"command":"ls","cwd":"/"}')).toMatchObject({ message: expect.stringMatching(/Invalid arguments for bash: .*cwd/) });
  });

  it('accepts optional fields and empty arguments for submit', () => {
    expect(parseArguments('view', '{"path":"a.py","start_line":2,"end_line":5}')).toEqual({ tool: 'view', path: 'a.py', start_line: 2, end_line: 5 });
    expect(parseArguments('submit', '')).toEqual({ tool: 'submit' });
  });
});
