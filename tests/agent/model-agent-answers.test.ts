import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentSpecSchema, applyModelOverrides, createAgent } from '../../src/agent/index.js';
import type { AgentContext } from '../../src/core/contracts.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const signal = new AbortController().signal;
const context: AgentContext = { taskId: 't', instruction: 'Fix the bug.', workdir: '/work', maxSteps: 50, signal };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function agentFor(extra: Record<string, unknown>) {
  const agent = createAgent(AgentSpecSchema.parse({ type: 'model', base_url: server!.url, model: 'm', ...extra }), { env: {} });
  await agent.start(context);
  return agent;
}

describe('ModelAgent - a refusal', () => {
  it('ends the run as refused, its words recorded in their own field, never as a format error', async () => {
    const refusal = { ...completion({ content: null }), choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." } }] };
    server = await startChatServer([{ body: refusal }]);
    const decision = await (await agentFor({})).next(undefined, signal);
    expect(decision).toMatchObject({ type: 'stop', exitStatus: 'refused', reason: "the model refused: I'm sorry, I can't help with that.", model: { raw_text: '', refusal: "I'm sorry, I can't help with that." } });
    expect(decision.model?.format_error).toBeUndefined();
  });

  it('carries out the calls of an answer that also refused, and sends the refusal back with the turn', async () => {
    const answer = completion({ content: null, tool_calls: [{ name: 'bash', arguments: { command: 'ls' }, id: 'c1' }] }) as any;
    answer.choices[0].message.refusal = 'Not that part.';
    server = await startChatServer([{ body: answer }, { body: completion({ content: null, tool_calls: [{ name: 'submit', arguments: {}, id: 'c2' }] }) }]);
    const agent = await agentFor({});
    const first = await agent.next(undefined, signal);
    expect(first).toMatchObject({ type: 'action', action: { tool: 'bash', command: 'ls' }, model: { refusal: 'Not that part.' } });
    await agent.next({ action: { tool: 'bash', command: 'ls' }, observation: null, shown: 'a.py' }, signal);
    const sent = server.requests[1]!.body.messages as Array<Record<string, unknown>>;
    expect(sent.find((m) => m.role === 'assistant')).toMatchObject({ refusal: 'Not that part.', tool_calls: [{ id: 'c1' }] });
  });
});

describe('ModelAgent - a tool call longer than max_tool_call_bytes', () => {
  it('is not carried out: the model is told why on its call id, and the record keeps its start, size and sha256', async () => {
    const command = 'echo '.padEnd(300_000, 'x');
    const args = JSON.stringify({ command });
    server = await startChatServer([
      { body: completion({ content: 'Big.', tool_calls: [{ name: 'bash', arguments: args, id: 'big' }] }) },
      { body: completion({ content: null, tool_calls: [{ name: 'submit', arguments: {}, id: 'ok' }] }) },
    ]);
    const agent = await agentFor({ max_tool_call_bytes: 100_000 });
    const decision = await agent.next(undefined, signal);
    expect(decision).toMatchObject({ type: 'invalid', toolCallId: 'big', problem: { name: 'FormatError' } });
    const problem = (decision as { problem: { message: string } }).problem.message;
    expect(problem).toBe(`the arguments of this bash call are ${args.length} bytes, more than the 100000 bytes a tool call may have (max_tool_call_bytes); it was not carried out. Make the change in smaller pieces.`);
    const call = decision.model!.tool_calls![0]!;
    expect(call).toMatchObject({ id: 'big', name: 'bash', arguments_bytes: args.length, arguments_sha256: sha256(args) });
    expect(call.arguments).toBe(args.slice(0, 4096));
    await agent.next({ action: null, observation: null, shown: `FormatError: ${problem}` }, signal);
    const sent = JSON.stringify(server.requests[1]!.body);
    expect(sent.length).toBeLessThan(40_000);
    expect(sent).toContain('more than the 100000 bytes a tool call may have');
  });

  it('in forager\'s text format, cuts a long answer\'s text (where its call is) and runs nothing of it, without splitting a UTF-8 character', async () => {
    const text = `<tool: create>\nbig.txt\n${'é'.repeat(200_000)}\n</tool>`;
    server = await startChatServer([{ body: completion({ content: text }) }]);
    const decision = await (await agentFor({ tool_format: 'forager', max_tool_call_bytes: 100_000 })).next(undefined, signal);
    expect(decision).toMatchObject({ type: 'invalid', problem: { name: 'FormatError', message: `the answer is ${Buffer.byteLength(text)} bytes, more than the 100000 bytes a tool call may have (max_tool_call_bytes); no tool call in it was carried out. Make the change in smaller pieces.` } });
    expect(decision.model).toMatchObject({ raw_text_bytes: Buffer.byteLength(text), raw_text_sha256: sha256(text) });
    expect(Buffer.byteLength(decision.model!.raw_text)).toBeLessThanOrEqual(4096);
    expect(decision.model!.raw_text).not.toContain('\ufffd');
    expect(text.startsWith(decision.model!.raw_text)).toBe(true);
  });
});

describe('the model agent spec - sampling a model family refuses', () => {
  const spec = (extra: Record<string, unknown>) => AgentSpecSchema.safeParse({ type: 'model', base_url: 'http://127.0.0.1:1/v1', model: 'm', ...extra });
  const issue = (extra: Record<string, unknown>) => { const r = spec(extra); return r.success ? undefined : { path: r.error.issues[0]!.path.join('.'), message: r.error.issues[0]!.message }; };

  it('refuses temperature and top_p other than 1 for OpenAI reasoning models, naming the flag', () => {
    expect(issue({ model: 'o3-mini', temperature: 0 })).toEqual({ path: 'temperature', message: 'o3-mini is an OpenAI reasoning model: it takes only the default temperature (1): leave it unset (--temperature)' });
    expect(issue({ model: 'gpt-5', top_p: 0.5 })).toMatchObject({ path: 'top_p', message: expect.stringContaining('(--top-p)') });
    expect(issue({ model: 'o3-mini', temperature: 1 })).toBeUndefined();
    expect(issue({ model: 'gpt-4o', temperature: 0 })).toBeUndefined();
    expect(issue({ model: 'gpt-5-chat-latest', temperature: 0.2 })).toBeUndefined();
  });

  it('refuses every sampling field under anthropic-version 2026-10-21 (the default), naming the flag and the way out', () => {
    expect(issue({ endpoint: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0 })).toEqual({
      path: 'temperature',
      message: 'the Messages API version 2026-10-21 takes no temperature (anthropic_version, --anthropic-version 2023-06-01 for a model that still does): leave it unset (--temperature)',
    });
    expect(issue({ endpoint: 'anthropic', model: 'claude-sonnet-4-5', extra_body: { top_k: 20 } })).toMatchObject({ path: 'extra_body.top_k', message: expect.stringContaining('leave it unset (`extra_body.top_k` in the agent spec)') });
    expect(issue({ endpoint: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0, extra_body: { temperature: null } })).toBeUndefined();
  });

  it('under 2023-06-01, refuses only what models released after Claude Opus 4.6 refuse, and temperature with thinking on', () => {
    const old = { endpoint: 'anthropic', anthropic_version: '2023-06-01' };
    expect(issue({ ...old, model: 'claude-sonnet-4-5', temperature: 0, top_p: 0.9, extra_body: { top_k: 5 } })).toBeUndefined();
    expect(issue({ ...old, model: 'claude-opus-4-6', temperature: 0.2 })).toBeUndefined();
    expect(issue({ ...old, model: 'claude-opus-4-7', temperature: 0.2 })).toMatchObject({ path: 'temperature', message: expect.stringContaining('claude-opus-4-7 (released after Claude Opus 4.6) takes only temperature 1') });
    expect(issue({ ...old, model: 'claude-opus-4-7', temperature: 1, top_p: 0.995 })).toBeUndefined();
    expect(issue({ ...old, model: 'claude-fable-5', top_p: 0.9 })).toMatchObject({ path: 'top_p' });
    expect(issue({ ...old, model: 'claude-sonnet-5', extra_body: { top_k: 1 } })).toMatchObject({ path: 'extra_body.top_k' });
    expect(issue({ ...old, model: 'claude-sonnet-4-5', temperature: 0.5, extra_body: { thinking: { type: 'enabled', budget_tokens: 2048 } } })).toMatchObject({ path: 'temperature', message: expect.stringContaining('with extended thinking on') });
  });

  it('is refused from the command line too, before any request, naming the flag', () => {
    const scripted = { type: 'scripted' as const, actions: [{ tool: 'submit' as const }] };
    expect(() => applyModelOverrides(scripted, { baseUrl: 'http://127.0.0.1:1/v1', model: 'o3', temperature: 0.7 })).toThrow(/model settings: temperature: o3 is an OpenAI reasoning model: it takes only the default temperature \(1\): leave it unset \(--temperature\)/);
  });
});
