import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTrajectories, type ChatMessage, type ChatRecord } from '../../src/export/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import type { Action } from '../../src/trajectory/schema.js';
import { parseForagerCall as parseWithAgent, type ToolFormatName } from '../../src/agent/index.js';
import { bashTrajectory, makeTempDir, richTrajectory, writeTrajectory } from './fixtures.js';

async function exportChat(toolFormat: ToolFormatName, extra: { maskObservations?: number; seed?: number; chatTemplate?: 'cwm' } = {}) {
  const dir = await makeTempDir();
  const path = join(dir, 'batch', 'rich.jsonl');
  await writeTrajectory(path, richTrajectory('t-rich', 'pkg-1', 'org/pkg'));
  const out = join(dir, 'chat.jsonl');
  await exportTrajectories([join(dir, 'batch')], { format: 'chat', out, toolFormat, ...extra });
  const [record] = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as ChatRecord);
  return { record: record as ChatRecord, trajectory: await readTrajectory(path) };
}

/** Parse a CWM tool call with the pattern CWM's own environment uses. */
function parseForagerCall(content: string): Action {
  const match = /<tool:\s([a-zA-Z_]+)>\n(.*?)\n<\/tool>/s.exec(content);
  if (!match) throw new Error(`no tool call in ${JSON.stringify(content)}`);
  const [, tool, body = ''] = match;
  const [first = '', ...rest] = body.split('\n');
  switch (tool) {
    case 'bash': return { tool, command: body };
    case 'submit': return { tool, result: body };
    case 'create': return { tool, path: first, content: rest.join('\n') };
    case 'view': {
      const [start, end] = (rest[0] ?? '').split(':').map(Number);
      return { tool, path: first, start_line: start, end_line: end };
    }
    case 'edit': {
      const edit = /^<<<<<<< SEARCH\n(.*)\n=======\n(.*)\n>>>>>>> REPLACE$/s.exec(rest.join('\n'));
      return { tool, path: first, search: edit?.[1] ?? '', replace: edit?.[2] ?? '' };
    }
    default: throw new Error(`unknown tool ${tool}`);
  }
}

const roles = (messages: ChatMessage[]) => messages.map((m) => m.role);

describe('exportTrajectories() - chat, OpenAI tool format', () => {
  it('rebuilds every action from the tool calls and answers each call with what the agent was shown', async () => {
    const { record, trajectory } = await exportChat('openai');
    const calls = record.messages.filter((m) => m.role === 'assistant' && m.tool_calls).map((m) => m.tool_calls?.[0]);
    const actions = calls.map((call) => ({ tool: call?.function.name, ...JSON.parse(call?.function.arguments ?? '{}') }));
    expect(actions).toEqual(trajectory.steps.flatMap((s) => (s.action ? [s.action] : [])));
    for (const call of calls) {
      const answer = record.messages.find((m) => m.role === 'tool' && m.tool_call_id === call?.id);
      expect(answer?.name).toBe(call?.function.name);
    }
    const shown = record.messages.filter((m) => m.role === 'tool' || (m.role === 'user' && m.content?.startsWith('FormatError'))).map((m) => m.content);
    expect(shown).toEqual(trajectory.steps.map((s) => s.shown));
  });

  it('keeps the recorded tool call id and the model text, and carries dataset fields and tools', async () => {
    const { record } = await exportChat('openai');
    const edit = record.messages.find((m) => m.tool_calls?.[0]?.function.name === 'edit');
    expect(edit?.tool_calls?.[0]?.id).toBe('call_abc');
    expect(edit?.content).toBe('Editing.');
    const grep = record.messages.find((m) => m.tool_calls?.[0]?.function.name === 'bash');
    expect(grep?.content).toBe('Let me look.');
    expect(record).toMatchObject({ instance_id: 'pkg-1', repo: 'org/pkg', exit_status: 'submitted', failure_kind: null, resolved: true, reward: 1, model_patch: 'diff --git a/x b/x\n', model: 'cwm-32b', tool_format: 'openai' });
    expect((record.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual(['bash', 'view', 'create', 'edit', 'submit']);
    expect(record.messages.slice(0, 2)).toEqual([
      { role: 'system', content: 'You are CWM.', train: false, loss_mask: 0 },
      { role: 'user', content: 'Fix the bug in pkg-1 — ünïcödé ✓\n\nThe code is at /work, which is the bash session\'s working directory.', train: false, loss_mask: 0 },
    ]);
  });

  it('does not train on an assistant turn that was a format error', async () => {
    const { record } = await exportChat('openai');
    const bad = record.messages.find((m) => m.role === 'assistant' && m.content === 'I will call <tool bash> now');
    expect(bad).toMatchObject({ train: false, loss_mask: 0 });
    expect(bad?.tool_calls).toBeUndefined();
  });
});

describe('exportTrajectories() - chat, CWM tool format', () => {
  it('writes one <tool: …> block per assistant turn that parses back to the action', async () => {
    const { record, trajectory } = await exportChat('forager');
    const assistants = record.messages.filter((m) => m.role === 'assistant');
    const valid = trajectory.steps.map((s, i) => ({ step: s, message: assistants[i] })).filter((x) => x.step.action);
    for (const { step, message } of valid) {
      expect(parseForagerCall(message?.content ?? '')).toEqual(step.action);
      if (step.action?.tool !== 'view') expect(parseWithAgent(message?.content ?? '')).toMatchObject({ ok: true, action: step.action });
    }
    expect(assistants[0]?.content).toBe(`Let me look.\n<tool: bash>\ngrep -rn "naïve ✓" src/t-rich\n</tool>`);
    expect(assistants[4]?.content).toBe('Editing.\n<tool: edit>\nsrc/a.py\n<<<<<<< SEARCH\nnaïve\n=======\nnaive\n>>>>>>> REPLACE\n</tool>');
  });

  it('names observation roles after the tool, wraps them in <output>, and answers a format error as the user', async () => {
    const { record, trajectory } = await exportChat('forager');
    expect(roles(record.messages)).toEqual([
      'system', 'user',
      'assistant', 'tool: bash', 'assistant', 'tool: bash', 'assistant', 'tool: bash',
      'assistant', 'user',
      'assistant', 'tool: edit', 'assistant', 'tool: create', 'assistant', 'tool: view', 'assistant', 'tool: submit',
    ]);
    expect(record.messages[3]?.content).toBe(`<output>\n${trajectory.steps[0]?.shown}\n</output>`);
    expect(record.messages[9]?.content).toBe(trajectory.steps[3]?.shown);
    expect(record.tools).toBeUndefined();
  });

  it("opens with the CWM prompts when the agent used another format, and with the agent's own when it used CWM", async () => {
    const { record } = await exportChat('forager');
    expect(record.messages[0]?.content).toContain('<tool: bash>\n[command(s)]\n</tool>');
    expect(record.messages[0]?.content).toContain('for at most 128 turns');
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'in', 'c.jsonl'), bashTrajectory('t-c', 'pkg-1', ['ls'], { agent: { type: 'model', tool_format: 'forager', system_prompt: 'Task {{task_id}}, {{max_turns}} turns.', user_prompt: '{{instruction}}', budgets: { max_turns: 9 } } }));
    await exportTrajectories([join(dir, 'in')], { format: 'chat', out: join(dir, 'o.jsonl'), toolFormat: 'forager' });
    const own = JSON.parse(await readFile(join(dir, 'o.jsonl'), 'utf8')) as ChatRecord;
    expect(own.messages.slice(0, 2).map((m) => m.content)).toEqual(['Task pkg-1, 9 turns.', 'Fix the bug in pkg-1 — ünïcödé ✓']);
  });
});

describe('exportTrajectories() - chat in CWM format from another format', () => {
  it("keeps only what CWM's environment would have answered the same, and names the steps it left out", async () => {
    const { record, trajectory } = await exportChat('cwm');
    const refused = trajectory.steps.filter((s) => s.action && s.action.tool !== 'bash').map((s) => s.index);
    expect(refused.length).toBeGreaterThan(0);
    expect(record.refused?.map((r) => r.step)).toEqual(refused);
    const results = record.messages.filter((m) => m.role.startsWith('tool'));
    expect(results.length).toBe(trajectory.steps.filter((s) => s.action?.tool === 'bash').length);
    for (const m of results) expect(m.content).toMatch(/^<output>\n[\s\S]*\n<\/output>\n\n<budget>\n\* Remaining turns: \d+\n\* Remaining tokens: -?\d+\n<\/budget>$/);
  });

  it("writes the conversation in CWM's chat template when asked: begin of text, header ids, end of turn, bodies stripped but tool results", async () => {
    const { record } = await exportChat('cwm', { chatTemplate: 'cwm' });
    const turns = record.messages.map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.role.startsWith('tool: ') ? m.content : m.content!.trim()}<|eot_id|>`);
    expect(record.text).toBe(`<|begin_of_text|>${turns.join('')}`);
    expect(record.text).toMatch(/<\|start_header_id\|>tool: bash<\|end_header_id\|>\n\n<output>\n/);
    expect((await exportChat('cwm')).record.text).toBeUndefined();
  });
});

describe('exportTrajectories() - chat loss masks', () => {
  const observationMask = (record: ChatRecord) => record.messages.filter((m) => m.role.startsWith('tool')).map((m) => m.train);

  it('trains every assistant action, never the system or user prompt, and masks observations at the given rate', async () => {
    const none = (await exportChat('forager', { maskObservations: 0 })).record;
    const all = (await exportChat('forager', { maskObservations: 1 })).record;
    expect(observationMask(none).every(Boolean)).toBe(true);
    expect(observationMask(all).some(Boolean)).toBe(false);
    expect(none.messages.slice(0, 2).map((m) => m.train)).toEqual([false, false]);
    for (const m of none.messages) expect(m.loss_mask).toBe(m.train ? 1 : 0);
    expect(none.messages.filter((m) => m.role === 'assistant').map((m) => m.train)).toEqual([true, true, true, false, true, true, true, true]);
  });

  it('chooses the same masked observations for the same seed and masks about the rate over many steps', async () => {
    const dir = await makeTempDir();
    const commands = Array.from({ length: 400 }, (_, i) => `echo ${i}`);
    await writeTrajectory(join(dir, 'in', 'long.jsonl'), bashTrajectory('t-long', 'pkg-1', commands));
    const masks = async (seed: number, name: string) => {
      const out = join(dir, `${name}.jsonl`);
      await exportTrajectories([join(dir, 'in')], { format: 'chat', out, toolFormat: 'openai', maskObservations: 0.5, seed });
      return observationMask(JSON.parse(await readFile(out, 'utf8')));
    };
    const first = await masks(1, 'a');
    expect(await masks(1, 'b')).toEqual(first);
    expect(await masks(2, 'c')).not.toEqual(first);
    const masked = first.filter((train) => !train).length;
    expect(masked).toBeGreaterThan(160);
    expect(masked).toBeLessThan(240);
  });
});
