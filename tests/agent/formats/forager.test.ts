import { describe, expect, it } from 'vitest';
import { formatForagerCall, formatForagerObservation, getToolFormat, parseForagerCall } from '../../../src/agent/index.js';
import type { Action } from '../../../src/trajectory/schema.js';
import { textCapture, emptyCapture } from '../../../src/core/capture.js';

describe('parseForagerCall()', () => {
  it('reads a bash call, thinking text around it included', () => {
    expect(parseForagerCall('Let me look.\n<tool: bash>\nls -la\ncat a.py\n</tool>')).toEqual({
      ok: true, toolName: 'bash', action: { tool: 'bash', command: 'ls -la\ncat a.py' },
    });
  });

  it('reads an edit as path, search and replace, keeping indentation and empty replacement lines', () => {
    const text = '<tool: edit>\nsrc/calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n\n>>>>>>> REPLACE\n</tool>';
    expect(parseForagerCall(text)).toMatchObject({
      ok: true, action: { tool: 'edit', path: 'src/calc.py', search: '    return a - b', replace: '    return a + b\n' },
    });
  });

  it('reads a create as the path line then the content, and a submit as its trimmed body', () => {
    expect(parseForagerCall('<tool: create>\nnew/file.txt\nline 1\nline 2\n</tool>')).toMatchObject({
      ok: true, action: { tool: 'create', path: 'new/file.txt', content: 'line 1\nline 2' },
    });
    expect(parseForagerCall('<tool: submit>\n fix.patch \n</tool>')).toMatchObject({ ok: true, action: { tool: 'submit', result: 'fix.patch' } });
  });

  it('refuses two calls in one turn, naming them', () => {
    const parsed = parseForagerCall('<tool: bash>\nls\n</tool>\n<tool: bash>\npwd\n</tool>');
    expect(parsed).toEqual({ ok: false, problem: { name: 'FormatError', message: expect.stringMatching(/^Expected one tool call, but found 2: bash, bash\./) } });
  });

  it('refuses an answer without a call, and tags that do not pair up', () => {
    expect(parseForagerCall('I think the bug is in calc.py')).toEqual({ ok: false, problem: { name: 'FormatError', message: 'No tool calls found' } });
    expect(parseForagerCall('<tool: bash>\nls\n')).toMatchObject({ ok: false, problem: { message: expect.stringContaining('Mismatch in tool tag counts: found 0 tool calls via regex, but counted 1 opening tags and 0 closing tags') } });
    // The regex needs the newline before </tool>.
    expect(parseForagerCall('<tool: bash>\nls</tool>')).toMatchObject({ ok: false, problem: { message: expect.stringContaining('Mismatch in tool tag counts') } });
  });

  it('refuses an empty body and an unknown tool', () => {
    expect(parseForagerCall('<tool: bash>\n  \n</tool>')).toMatchObject({ ok: false, problem: { name: 'FormatError', message: expect.stringMatching(/^Tool 'bash' requires non-empty arguments/) } });
    expect(parseForagerCall('<tool: python>\nprint(1)\n</tool>')).toEqual({ ok: false, toolName: 'python', problem: { name: 'NoSuchToolError', message: "Tool 'python' not found." } });
  });

  it('reads forager\'s view extension: a path, then an optional START:END line', () => {
    expect(parseForagerCall('<tool: view>\na.py\n</tool>')).toMatchObject({ ok: true, action: { tool: 'view', path: 'a.py' } });
    expect(parseForagerCall('<tool: view>\na.py\n3:9\n</tool>')).toMatchObject({ ok: true, action: { tool: 'view', path: 'a.py', start_line: 3, end_line: 9 } });
    expect(parseForagerCall('<tool: view>\na.py\nlines 3-9\n</tool>')).toMatchObject({ ok: false, problem: { message: expect.stringContaining('START:END') } });
  });

  it('refuses an edit without SEARCH/REPLACE markers, with two blocks, or with empty search lines', () => {
    expect(parseForagerCall('<tool: edit>\na.py\nold\nnew\n</tool>')).toMatchObject({ ok: false, problem: { name: 'FormatError', message: expect.stringMatching(/^Failed to parse the edit tool call[\s\S]*<<<<<<< SEARCH/) } });
    const two = '<tool: edit>\na.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\nb.py\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n</tool>';
    expect(parseForagerCall(two)).toEqual({ ok: false, toolName: 'edit', problem: { name: 'FormatError', message: 'Only one search/replace block is allowed. Got: 2.' } });
    expect(parseForagerCall('<tool: edit>\na.py\n<<<<<<< SEARCH\n\n=======\nb\n>>>>>>> REPLACE\n</tool>')).toMatchObject({ ok: false, problem: { message: expect.stringContaining('search lines are empty') } });
  });
});

describe('formatForagerCall()', () => {
  it('writes every CWM action so that parsing gives it back', () => {
    const actions: Action[] = [
      { tool: 'bash', command: 'cd src && python3 -m unittest -v' },
      { tool: 'edit', path: 'a.py', search: 'x = 1\ny = 2', replace: 'x = 2' },
      { tool: 'create', path: 'b.py', content: 'print("hi")\n' },
      { tool: 'submit', result: 'done' },
      { tool: 'view', path: 'a.py' },
      { tool: 'view', path: 'a.py', start_line: 2, end_line: 5 },
    ];
    for (const action of actions) expect(parseForagerCall(formatForagerCall(action))).toMatchObject({ ok: true, action });
  });
});

describe('the forager tool format', () => {
  const observation = {
    stdout: textCapture('1 passed\n'), stderr: emptyCapture(), exit_code: 0, signal: null, timed_out: false, duration_ms: 5, session_restarted: false,
  };

  it('renders an observation as <output> then the <budget> block', () => {
    const shown = getToolFormat('forager').renderObservation({ tool: 'bash', command: 'x' }, observation, { remainingTurns: 7, remainingTokens: 1200 });
    expect(shown).toBe('<output>\n1 passed\n</output>\n\n<budget>\n* Remaining turns: 7\n* Remaining tokens: 1200\n</budget>');
  });

  it('shows stderr apart and a non-zero exit code', () => {
    const failing = { ...observation, stderr: textCapture('Traceback\n'), exit_code: 1 };
    expect(formatForagerObservation('x', { remainingTurns: 1, remainingTokens: null })).toContain('* Remaining tokens: unlimited');
    expect(getToolFormat('forager').renderObservation({ tool: 'bash', command: 'x' }, failing, { remainingTurns: 1, remainingTokens: 5 }))
      .toContain('<output>\n1 passed\n[stderr]\nTraceback\n[exit code 1]\n</output>');
  });

  it("answers an observation as CWM's `tool: NAME` turn and a format error as a user turn", () => {
    const protocol = getToolFormat('forager');
    const ok = protocol.parse({ text: '<tool: bash>\nls\n</tool>', toolCalls: [], finishReason: 'stop', latencyMs: 1, retries: 0 });
    expect(protocol.replyMessages(ok, ['OUT'])).toEqual([{ role: 'tool', name: 'bash', content: 'OUT' }]);
    expect(getToolFormat('forager', { observationRole: 'user' }).replyMessages(ok, ['OUT'])).toEqual([{ role: 'user', content: 'OUT' }]);
    const bad = protocol.parse({ text: 'no call', toolCalls: [], finishReason: 'stop', latencyMs: 1, retries: 0 });
    expect(protocol.replyMessages(bad, ['FormatError: No tool calls found'])).toEqual([{ role: 'user', content: 'FormatError: No tool calls found' }]);
  });

  it('shows a problem with its name once, NoSuchToolError included', () => {
    const format = getToolFormat('forager');
    const bad = format.parse({ text: '<tool: python>\nprint(1)\n</tool>', toolCalls: [], finishReason: 'stop', latencyMs: 1, retries: 0 });
    expect(bad).toEqual({ calls: [], problem: { name: 'NoSuchToolError', message: "Tool 'python' not found." } });
    expect(format.renderError(bad.problem!)).toBe("NoSuchToolError: Tool 'python' not found.");
  });
});
