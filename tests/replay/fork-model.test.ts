// @needs docker
import { testProvider } from '../helpers/docker.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportTrajectories, type ChatRecord } from '../../src/export/index.js';
import { runTask } from '../../src/runner/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { loadTask } from '../../src/task/index.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

describe('forager replay --until K with a model taking over', () => {
  const servers: ChatServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('hands the model the replayed steps as its own earlier turns, in its tool format (CWM\'s, after a scripted parent)', async () => {
    const folder = await tempDir();
    const taskFile = await writeTask([
      { tool: 'bash', command: 'echo first > state.txt' },
      { tool: 'bash', command: 'cat state.txt' },
      { tool: 'bash', command: 'echo parent-only' },
      { tool: 'submit', result: 'parent' },
    ], { id: 'fork-model', limits: { wall_time_s: 120, max_steps: 10 } }, folder);
    const parent = join(folder, 'parent.jsonl');
    await runTask(await loadTask(taskFile), { provider: testProvider(), out: parent });
    const server = await startChatServer([
      { body: completion({ content: "<tool: bash>\nprintf 'diff --git a/x b/x\\n' > /tmp/child.patch\n</tool>" }) },
      { body: completion({ content: '<tool: submit>\n/tmp/child.patch\n</tool>' }) },
      { body: completion({ content: '## Summary\n\nchild' }) },
    ]);
    servers.push(server);

    const out = join(folder, 'child.jsonl');
    const result = await runCli(['replay', parent, '--until', '1', '--model-url', server.url, '--model', 'scripted-model', '--tool-format', 'cwm', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);

    const messages = server.requests[0]!.body.messages as Array<{ role: string; content: string }>;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    expect(messages[2]!.content).toBe('<tool: bash>\necho first > state.txt\n</tool>');
    expect(messages[4]!.content).toBe('<tool: bash>\ncat state.txt\n</tool>');
    expect(messages[5]!.content).toMatch(/^<output>\nfirst\n\n<\/output>\n\n<budget>/);
    const child = await readTrajectory(out);
    expect(child.steps.map((s) => s.action?.tool ?? null)).toEqual(['bash', 'bash', 'bash', 'submit', null]);
    expect(child.footer).toMatchObject({ exit_status: 'submitted', submission: 'diff --git a/x b/x\n' });
  });

  it('replays format errors of the prefix showing each error once, and exports the fork with the prompts and model that ran', async () => {
    const folder = await tempDir();
    const recorder = await startChatServer([
      { body: completion({ content: 'Let me think first.' }) },
      { body: completion({ content: '<tool: bash>\necho first > state.txt\n</tool>' }) },
      { body: completion({ content: '<tool: python>\nprint(1)\n</tool>' }) },
      { body: completion({ content: '<tool: bash>\ncat state.txt\n</tool>' }) },
      { body: completion({ content: '<tool: submit>\nparent\n</tool>' }) },
    ]);
    servers.push(recorder);
    const taskFile = await writeTask([], {
      id: 'fork-errors', limits: { wall_time_s: 120, max_steps: 10 },
      agent: { type: 'model', base_url: recorder.url, model: 'parent-model', tool_format: 'forager' },
    }, folder);
    const parentPath = join(folder, 'parent.jsonl');
    await runTask(await loadTask(taskFile), { provider: testProvider(), out: parentPath });
    const parent = await readTrajectory(parentPath);
    expect(parent.steps.map((s) => s.action?.tool ?? s.shown.split(':')[0])).toEqual(['FormatError', 'bash', 'NoSuchToolError', 'bash', 'submit']);

    const server = await startChatServer([{ body: completion({ content: '<tool: submit>\nchild\n</tool>' }) }]);
    servers.push(server);
    const out = join(folder, 'child.jsonl');
    const prompt = 'Child {{task_id}}: {{max_turns}} turns.';
    const agentFile = join(folder, 'agent.json');
    await writeFile(agentFile, JSON.stringify({ type: 'model', base_url: server.url, model: 'child-model', tool_format: 'forager', system_prompt: prompt }));
    const result = await runCli(['replay', parentPath, '--until', '3', '--agent-file', agentFile, '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // Two actions and two format errors, the errors compared by the text shown.
    expect(result.stdout).toContain('prefix: 4 replayed steps matched the parent');

    const child = await readTrajectory(out);
    expect(child.steps.slice(0, 4).map((s) => s.shown)).toEqual(parent.steps.slice(0, 4).map((s) => (s.action ? expect.any(String) : s.shown)));
    expect(child.steps[0]!.shown).toBe('FormatError: No tool calls found');
    expect(child.steps[2]!.shown).toBe("NoSuchToolError: Tool 'python' not found.");
    expect(child.header.agent).toMatchObject({ type: 'fork', replay: { type: 'replay', until: 3, recorded: { type: 'model', model: { model: 'parent-model' } } }, then: { type: 'model', model: { model: 'child-model' }, system_prompt: prompt } });

    const exported = join(folder, 'chat.jsonl');
    await exportTrajectories([out], { format: 'chat', out: exported, toolFormat: 'forager' });
    const record = JSON.parse(await readFile(exported, 'utf8')) as ChatRecord;
    expect(record.model).toBe('child-model');
    expect(record.messages[0]!.content).toBe('Child fork-errors: 10 turns.');
    expect(record.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([expect.any(String), 'FormatError: No tool calls found', "NoSuchToolError: Tool 'python' not found."]);
  });
});
