// @needs docker
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTrajectories, type ChatRecord } from '../../src/export/index.js';
import { parseForagerCall } from '../../src/agent/index.js';
import { loadTask } from '../../src/task/index.js';
import { runTask } from '../../src/runner/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer, type ScriptedReply } from '../model/support/chat-server.js';
import { containersOf, testProvider } from '../helpers/docker.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { readParquet, rebuildStep } from '../export/duckdb.js';

// The model is the only stand-in: a local chat-completions server. Docker is real.
const IMAGE = BASE_IMAGE;
const BUGGY = 'def add(a, b):\n    return a - b\n';
const TESTS = 'import unittest\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n';
const RUN_TESTS = 'python3 -m unittest 2>&1 | tail -n 1';

let root: string;
const servers: ChatServer[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forager-model-e2e-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function serve(script: ScriptedReply[]): Promise<ChatServer> {
  const server = await startChatServer(script);
  servers.push(server);
  return server;
}

/** Write a task whose agent is the model at `server`, run it, and read its trajectory back. */
async function run(name: string, server: ChatServer, agent: Record<string, unknown>) {
  const dir = join(root, name);
  const task = {
    id: name,
    instruction: 'The test in test_calc.py fails. Fix calc.py.',
    image: { ref: IMAGE },
    workdir: '/work',
    files: [{ path: 'calc.py', content: BUGGY }, { path: 'test_calc.py', content: TESTS }],
    agent: { type: 'model', base_url: server.url, model: 'scripted-model', ...agent },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'task.json'), JSON.stringify(task));
  const out = join(dir, 'trajectory.jsonl');
  const runId = `model-e2e-${name}-${process.pid}`;
  await runTask(await loadTask(join(dir, 'task.json')), { provider: testProvider(), out, runId });
  expect(await containersOf(runId)).toEqual([]);
  return { trajectory: await readTrajectory(out), text: await readFile(out, 'utf8') };
}

const text = (content: string, usage = { prompt_tokens: 100, completion_tokens: 20 }): ScriptedReply => ({ body: completion({ content, usage }) });
const call = (name: string, args: Record<string, unknown>, id?: string): ScriptedReply => ({ body: completion({ content: null, tool_calls: [{ name, arguments: args, id }] }) });

describe.concurrent('a model-driven run in a real sandbox', () => {
  it('solves a buggy project through the CWM text format', async () => {
    const edit = '<tool: edit>\ncalc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n</tool>';
    const server = await serve([
      { body: completion({ content: 'Let me look at the code.\n<tool: bash>\ncat calc.py\n</tool>', reasoning_content: 'start with the source' }) },
      text(edit),
      text(`<tool: bash>\n${RUN_TESTS}\n</tool>`),
      text('<tool: submit>\nfixed add()\n</tool>'),
    ]);
    const { trajectory } = await run('cwm-solve', server, { tool_format: 'forager', context_window: 32_768, budgets: { max_turns: 10 } });
    const { header, steps, footer } = trajectory;

    expect(footer).toMatchObject({ exit_status: 'submitted', submission: 'fixed add()', failure_kind: null, totals: { prompt_tokens: 400, completion_tokens: 80 } });
    expect(steps.map((s) => s.action?.tool)).toEqual(['bash', 'edit', 'bash', 'submit']);
    expect(steps[0]!.model).toMatchObject({ raw_text: 'Let me look at the code.\n<tool: bash>\ncat calc.py\n</tool>', reasoning: 'start with the source', usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 }, finish_reason: 'stop', retries: 0 });
    expect(steps[0]!.shown).toMatch(/^<output>\ndef add\(a, b\):\n    return a - b\n<\/output>\n\n<budget>\n\* Remaining turns: 9\n\* Remaining tokens: \d+\n<\/budget>$/);
    expect(steps[1]!.state?.changes).toEqual([expect.objectContaining({ path: '/work/calc.py', change: 'modified' })]);
    expect(steps[2]!.shown).toContain('<output>\nOK\n</output>');
    expect(header!.agent).toMatchObject({ type: 'model', model: { tool_format: 'forager', model: 'scripted-model' } });

    // What the model was sent: CWM's system prompt, then `tool: bash` turns carrying exactly what the trajectory shows.
    const second = server.requests[1]!.body.messages;
    expect(second[0]).toMatchObject({ role: 'system', content: expect.stringContaining('<tool: edit>\n[path]\n<<<<<<< SEARCH') });
    expect(second[1]).toMatchObject({ role: 'user', content: expect.stringContaining('The test in test_calc.py fails.') });
    expect(second.slice(2)).toEqual([
      { role: 'assistant', content: 'Let me look at the code.\n<tool: bash>\ncat calc.py\n</tool>' },
      { role: 'tool', name: 'bash', content: steps[0]!.shown },
    ]);
    expect(server.requests[0]!.body).not.toHaveProperty('tools');
  });

  it('solves the same project through function calling, after a 429 with Retry-After', async () => {
    process.env.FORAGER_E2E_KEY = 'sk-e2e-secret-value';
    process.env.FORAGER_ALLOWED_KEY_ENV = 'FORAGER_E2E_KEY'; // the operator allows the name (task policy)
    const server = await serve([
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'rate limited' } } },
      { body: completion({ content: 'Reading both files.', tool_calls: [{ name: 'view', arguments: { path: 'calc.py' }, id: 'v1' }, { name: 'view', arguments: { path: 'test_calc.py' }, id: 'v2' }] }) },
      call('edit', { path: 'calc.py', search: 'return a - b', replace: 'return a + b' }, 'e1'),
      call('bash', { command: RUN_TESTS }, 'b1'),
      call('submit', {}, 's1'),
    ]);
    const { trajectory, text: file } = await run('openai-solve', server, { tool_format: 'openai', api_key_env: 'FORAGER_E2E_KEY' });
    const { steps, footer } = trajectory;

    expect(footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(steps.map((s) => s.action?.tool)).toEqual(['view', 'edit', 'bash', 'submit']);
    expect(steps[0]!.model).toMatchObject({ retries: 1, raw_text: 'Reading both files.', finish_reason: 'tool_calls', tool_calls: [{ id: 'v1', name: 'view', arguments: '{"path":"calc.py"}' }, { id: 'v2', name: 'view', arguments: '{"path":"test_calc.py"}' }] });
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(steps[0]!.shown).toBe('     1\tdef add(a, b):\n     2\t    return a - b');
    expect(steps[2]!.shown).toBe('OK');

    // Every tool call id is answered; the second view was not carried out.
    const sent = server.requests[2]!.body;
    expect(sent.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['bash', 'view', 'create', 'edit', 'submit']);
    expect(sent.messages.slice(2)).toEqual([
      { role: 'assistant', content: 'Reading both files.', tool_calls: [expect.objectContaining({ id: 'v1' }), expect.objectContaining({ id: 'v2' })] },
      { role: 'tool', tool_call_id: 'v1', content: steps[0]!.shown },
      { role: 'tool', tool_call_id: 'v2', content: expect.stringMatching(/^Ignored: only the first tool call/) },
    ]);
    // The key went to the server and nowhere else.
    expect(server.requests[1]!.headers.authorization).toBe('Bearer sk-e2e-secret-value');
    expect(file).not.toContain('sk-e2e-secret-value');
    expect(file).toContain('"api_key_env":"FORAGER_E2E_KEY"');
  });

  it("carries out both calls of one answer as two steps with parallel_tool_calls 'run', and every export keeps both", async () => {
    const server = await serve([
      { body: completion({ content: 'Reading and fixing.', tool_calls: [{ name: 'view', arguments: { path: 'calc.py' }, id: 'v1' }, { name: 'edit', arguments: { path: 'calc.py', search: 'return a - b', replace: 'return a + b' }, id: 'e1' }] }) },
      call('bash', { command: RUN_TESTS }, 'b1'),
      // CWM's parser refuses an empty submit: a result keeps the CWM export parseable.
      call('submit', { result: 'fixed' }, 's1'),
    ]);
    const { trajectory } = await run('parallel-run', server, { tool_format: 'openai', parallel_tool_calls: 'run' });
    const { steps, footer } = trajectory;
    expect(footer).toMatchObject({ exit_status: 'submitted' });
    expect(steps.map((s) => [s.action?.tool, s.tool_call_id, s.model !== undefined])).toEqual([['view', 'v1', true], ['edit', 'e1', false], ['bash', 'b1', true], ['submit', 's1', true]]);
    expect(steps[2]!.shown).toBe('OK');
    // One model call for both: the next request answers both ids with what each step showed.
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]!.body.messages.slice(2)).toEqual([
      { role: 'assistant', content: 'Reading and fixing.', tool_calls: [expect.objectContaining({ id: 'v1' }), expect.objectContaining({ id: 'e1' })] },
      { role: 'tool', tool_call_id: 'v1', content: steps[0]!.shown },
      { role: 'tool', tool_call_id: 'e1', content: steps[1]!.shown },
    ]);

    const dir = join(root, 'parallel-run');
    const file = join(dir, 'trajectory.jsonl');
    await exportTrajectories([file], { format: 'chat', toolFormat: 'openai', out: join(dir, 'openai.jsonl'), maskObservations: 0 });
    const openai = JSON.parse(await readFile(join(dir, 'openai.jsonl'), 'utf8')) as ChatRecord;
    expect(openai.messages.slice(2, 5)).toEqual([
      expect.objectContaining({ role: 'assistant', content: 'Reading and fixing.', tool_calls: [expect.objectContaining({ id: 'v1' }), expect.objectContaining({ id: 'e1' })], train: true }),
      expect.objectContaining({ role: 'tool', tool_call_id: 'v1', name: 'view', content: steps[0]!.shown }),
      expect.objectContaining({ role: 'tool', tool_call_id: 'e1', name: 'edit', content: steps[1]!.shown }),
    ]);
    expect(openai.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(steps.map((s) => s.shown));

    // CWM allows one call a turn: the answer becomes two consecutive assistant turns, each parsing back to its step.
    await exportTrajectories([file], { format: 'chat', toolFormat: 'forager', out: join(dir, 'cwm.jsonl') });
    const cwm = JSON.parse(await readFile(join(dir, 'cwm.jsonl'), 'utf8')) as ChatRecord;
    const turns = cwm.messages.filter((m) => m.role === 'assistant');
    expect(turns.map((m) => parseForagerCall(m.content ?? ''))).toEqual(steps.map((s) => ({ ok: true, toolName: s.action!.tool, action: s.action })));
    expect(turns[0]!.content).toBe('Reading and fixing.\n<tool: view>\ncalc.py\n</tool>');
    expect(cwm.messages.slice(2, 6).map((m) => m.role)).toEqual(['assistant', 'tool: view', 'assistant', 'tool: edit']);

    await exportTrajectories([file], { format: 'jsonl', out: join(dir, 'all.jsonl') });
    expect(JSON.parse(await readFile(join(dir, 'all.jsonl'), 'utf8')).steps).toEqual(steps);
    await exportTrajectories([file], { format: 'parquet', out: join(dir, 'parquet') });
    expect((await readParquet(join(dir, 'parquet', 'steps.parquet'), 'step_index')).map(rebuildStep)).toEqual(steps);
  });

  it("answers the other calls as ignored with parallel_tool_calls 'first', and the chat export still holds them", async () => {
    const server = await serve([
      { body: completion({ content: null, tool_calls: [{ name: 'bash', arguments: { command: 'echo one' }, id: 'x1' }, { name: 'bash', arguments: { command: 'echo two' }, id: 'x2' }] }) },
      call('submit', { result: 'done' }, 's1'),
    ]);
    const { trajectory } = await run('parallel-first', server, { tool_format: 'openai' });
    expect(trajectory.steps.map((s) => [s.action?.tool, s.tool_call_id])).toEqual([['bash', 'x1'], ['submit', 's1']]);
    const dir = join(root, 'parallel-first');
    await exportTrajectories([join(dir, 'trajectory.jsonl')], { format: 'chat', toolFormat: 'openai', out: join(dir, 'openai.jsonl') });
    const openai = JSON.parse(await readFile(join(dir, 'openai.jsonl'), 'utf8')) as ChatRecord;
    expect(openai.messages.slice(3, 5).map((m) => [m.tool_call_id, m.content])).toEqual([['x1', 'one'], ['x2', expect.stringMatching(/^Ignored: only the first tool call/)]]);
    await exportTrajectories([join(dir, 'trajectory.jsonl')], { format: 'chat', toolFormat: 'forager', out: join(dir, 'cwm.jsonl') });
    const cwm = JSON.parse(await readFile(join(dir, 'cwm.jsonl'), 'utf8')) as ChatRecord;
    const turns = cwm.messages.filter((m) => m.role === 'assistant');
    expect(turns.map((m) => [parseForagerCall(m.content ?? '').ok, m.train])).toEqual([[true, true], [true, false], [true, true]]);
    expect(cwm.messages[5]).toMatchObject({ role: 'tool: bash', content: expect.stringMatching(/^<output>\nIgnored: /), train: false });
  });

  it('answers malformed calls with FormatError and ends the run after too many in a row', async () => {
    const server = await serve([
      text('I will just think about it.'),
      text('<tool: bash>\nls\n</tool>\n<tool: bash>\npwd\n</tool>'),
      text('<tool: python>\nprint(1)\n</tool>'),
      text('<tool: bash>\nls'),
      text('<tool: bash>\nls\n</tool>'),
    ]);
    const { steps, footer } = (await run('cwm-format-errors', server, { tool_format: 'forager', budgets: { max_format_errors: 3 } })).trajectory;

    expect(footer).toMatchObject({ exit_status: 'format_errors', failure_kind: 'agent' });
    expect(steps).toHaveLength(4);
    expect(steps.every((s) => s.action === null && s.observation === null)).toBe(true);
    expect(steps.map((s) => s.shown.split(':')[0])).toEqual(['FormatError', 'FormatError', 'NoSuchToolError', 'FormatError']);
    expect(steps[0]!.model).toMatchObject({ raw_text: 'I will just think about it.', format_error: 'FormatError: No tool calls found' });
    expect(server.requests).toHaveLength(4);
    expect(server.requests[1]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'FormatError: No tool calls found' });
  });

  it('ends the run when the turn budget is spent', async () => {
    const server = await serve(Array.from({ length: 5 }, () => text('<tool: bash>\necho again\n</tool>')));
    const { steps, footer } = (await run('turn-budget', server, { tool_format: 'forager', budgets: { max_turns: 2 } })).trajectory;
    expect(footer).toMatchObject({ exit_status: 'max_steps', failure_kind: 'agent' });
    expect(steps).toHaveLength(2);
    expect(steps[1]!.shown).toContain('* Remaining turns: 0');
    expect(server.requests).toHaveLength(2);
  });

  it('ends the run when the token budget is spent, counting prompt and completion tokens from usage', async () => {
    const server = await serve(Array.from({ length: 5 }, () => call('bash', { command: 'echo again' })));
    const { steps, footer } = (await run('token-budget', server, { budgets: { max_tokens: 250 } })).trajectory;
    // 120 tokens a call: 120, 240, then 360 crosses 250, and no fourth call is made.
    expect(footer).toMatchObject({ exit_status: 'max_tokens', failure_kind: 'agent', totals: { prompt_tokens: 300, completion_tokens: 60 } });
    expect(steps).toHaveLength(3);
    expect(server.requests).toHaveLength(3);
  });

  it('records an infrastructure failure when the model hangs past its timeout on every retry', async () => {
    const server = await serve([{ hang: true }, { hang: true }, { hang: true }]);
    const { steps, footer } = (await run('hanging-model', server, { request_timeout_s: 0.3, max_retries: 1 })).trajectory;
    expect(footer).toMatchObject({ exit_status: 'error', failure_kind: 'infrastructure', error: { code: 'MODEL_TIMEOUT' } });
    expect(steps).toHaveLength(0);
    expect(server.requests).toHaveLength(2);
  });
});
