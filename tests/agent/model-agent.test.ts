import { afterEach, describe, expect, it } from 'vitest';
import { AgentSpecSchema, createAgent } from '../../src/agent/index.js';
import type { Agent, AgentContext, AgentDecision, StepOutcome } from '../../src/core/contracts.js';
import { emptyCapture, textCapture } from '../../src/core/capture.js';
import type { Action, Observation } from '../../src/trajectory/schema.js';
import { completion, startChatServer, type ChatServer, type ReceivedRequest, type ScriptedReply } from '../model/support/chat-server.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const signal = new AbortController().signal;
const context: AgentContext = { taskId: 't', instruction: 'Fix the bug.', workdir: '/work', maxSteps: 50, signal };
/** A bash call; the usage counts the prompt the way a real server would, about 4 characters a token. */
const bash = (content: string) => (request: ReceivedRequest): ScriptedReply => ({
  body: completion({ content: `<tool: bash>\n${content}\n</tool>`, usage: { prompt_tokens: Math.ceil(JSON.stringify(request.body.messages).length / 4), completion_tokens: 10 } }),
});
const output = (text: string): Observation => ({ stdout: textCapture(text), stderr: emptyCapture(), exit_code: 0, signal: null, timed_out: false, duration_ms: 1, session_restarted: false });

function agentFor(url: string, extra: Record<string, unknown>): Agent {
  return createAgent(AgentSpecSchema.parse({ type: 'model', base_url: url, model: 'm', tool_format: 'forager', ...extra }), { env: {} });
}

/** Play `turns` turns, feeding each action a big observation, as the runner would. */
async function play(agent: Agent, turns: number, observationBytes: number) {
  let previous: StepOutcome | undefined;
  const decisions: AgentDecision[] = [];
  for (let i = 0; i < turns; i += 1) {
    const decision: AgentDecision = await agent.next(previous, signal);
    decisions.push(decision);
    if (decision.type !== 'action') break;
    const action: Action = decision.action;
    const shown = agent.render(action, output(`${i}:`.padEnd(observationBytes, 'x')));
    previous = { action, observation: null, shown };
  }
  return decisions;
}

describe('ModelAgent', () => {
  it('elides the oldest observations when the conversation outgrows the context window', async () => {
    server = await startChatServer(Array.from({ length: 6 }, (_, i) => bash(`step ${i}`)));
    const agent = agentFor(server.url, { context_window: 8_000, max_tokens: 1_000 });
    await agent.start(context);
    const decisions = await play(agent, 6, 8_000); // ~2,000 tokens an observation
    const last = server.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
    const elided = last.filter((m) => m.content.startsWith('[observation elided: '));
    expect(elided.length).toBeGreaterThan(0);
    expect(elided[0]!.content).toMatch(/^\[observation elided: \d+ bytes\]$/);
    expect(last[0]!.role).toBe('system');
    expect(last[1]!.content).toContain('Fix the bug.');
    expect(last.at(-1)!.content).toContain('4:xxx');
    expect(decisions.at(-1)!.model?.elided_observations).toBe(elided.length);
  });

  it('says nothing of the context window in the CWM system prompt when it is unknown, and its size when it is known', async () => {
    server = await startChatServer([bash('ls'), bash('ls')]);
    const unknown = agentFor(server.url, {});
    await unknown.start(context);
    await unknown.next(undefined, signal);
    const known = agentFor(server.url, { context_window: 32_768 });
    await known.start(context);
    await known.next(undefined, signal);
    const [withoutWindow, withWindow] = server.requests.map((r) => (r.body.messages as Array<{ content: string }>)[0]!.content);
    expect(withoutWindow).not.toMatch(/context window/i);
    expect(withoutWindow).not.toContain('unknown');
    expect(withoutWindow).toContain('is restarted after an error or when a command runs over its time limit. You interact with the container');
    expect(withWindow).toContain('over its time limit. Your context window is 32768 tokens. You interact with the container');
  });

  it("carries out every call of one answer in order with parallel_tool_calls 'run', then asks again with all results", async () => {
    const two = completion({ content: 'Both.', tool_calls: [{ name: 'bash', arguments: { command: 'ls' }, id: 'a' }, { name: 'bash', arguments: { command: 'pwd' }, id: 'b' }] });
    server = await startChatServer([{ body: two }, { body: completion({ content: null, tool_calls: [{ name: 'submit', arguments: {}, id: 'c' }] }) }]);
    const agent = createAgent(AgentSpecSchema.parse({ type: 'model', base_url: server.url, model: 'm', parallel_tool_calls: 'run' }), { env: {} });
    await agent.start(context);
    const first = await agent.next(undefined, signal);
    expect(first).toMatchObject({ type: 'action', action: { command: 'ls' }, toolCallId: 'a', model: { tool_calls: [{ id: 'a' }, { id: 'b' }] } });
    const second = await agent.next({ action: { tool: 'bash', command: 'ls' }, observation: null, shown: 'a.py' }, signal);
    expect(second).toEqual({ type: 'action', action: { tool: 'bash', command: 'pwd' }, toolCallId: 'b' });
    expect(server.requests).toHaveLength(1);
    const third = await agent.next({ action: { tool: 'bash', command: 'pwd' }, observation: null, shown: '/work' }, signal);
    expect(third).toMatchObject({ type: 'action', action: { tool: 'submit' }, toolCallId: 'c' });
    expect((server.requests[1]!.body.messages as unknown[]).slice(2)).toEqual([
      { role: 'assistant', content: 'Both.', tool_calls: [expect.objectContaining({ id: 'a' }), expect.objectContaining({ id: 'b' })] },
      { role: 'tool', tool_call_id: 'a', content: 'a.py' },
      { role: 'tool', tool_call_id: 'b', content: '/work' },
    ]);
  });

  it('shows the remaining turns and the context left in the budget block', async () => {
    server = await startChatServer([bash('ls')]);
    const agent = agentFor(server.url, { context_window: 10_000, budgets: { max_turns: 4 } });
    await agent.start(context);
    const [decision] = await play(agent, 1, 400);
    expect(decision!.type).toBe('action');
    const prompt = Math.ceil(JSON.stringify(server.requests[0]!.body.messages).length / 4);
    const shown = agent.render({ tool: 'bash', command: 'ls' }, output('x'.repeat(400)));
    const remaining = Number(/\* Remaining tokens: (\d+)\n/.exec(shown)?.[1]);
    expect(shown).toContain('* Remaining turns: 3\n');
    // The window, minus the prompt and completion so far, minus ~100 tokens for this observation.
    expect(Math.abs(remaining - (10_000 - prompt - 10 - 100))).toBeLessThan(20);
  });

  it('stops for wall time before calling the model once its time budget is spent', async () => {
    server = await startChatServer([bash('sleep 0')]);
    const agent = agentFor(server.url, { budgets: { max_wall_time_s: 0.05 } });
    await agent.start(context);
    await new Promise((r) => setTimeout(r, 80));
    expect(await agent.next(undefined, signal)).toMatchObject({ type: 'stop', exitStatus: 'wall_time' });
    expect(server.requests).toHaveLength(0);
  });

  it('describes its configuration without any secret, and with the prompts and tools it uses', () => {
    const agent = createAgent(AgentSpecSchema.parse({ type: 'model', base_url: 'http://x/v1', model: 'm', api_key_env: 'MY_KEY' }), { env: { MY_KEY: 'sk-never-shown' } });
    const described = JSON.stringify(agent.describe());
    expect(described).not.toContain('sk-never-shown');
    expect(agent.describe()).toMatchObject({ type: 'model', model: { api_key_env: 'MY_KEY', tool_format: 'openai' }, system_prompt: expect.stringContaining('{{max_turns}}') });
  });
});
