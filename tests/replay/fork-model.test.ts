import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTask } from '../../src/runner/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { loadTask } from '../../src/task/index.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

describe('forager replay --until K with a model taking over', () => {
  const servers: ChatServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('hands the model the replayed steps as its own earlier turns, in its tool format', async () => {
    const folder = await tempDir();
    const taskFile = await writeTask([
      { tool: 'bash', command: 'echo first > state.txt' },
      { tool: 'bash', command: 'cat state.txt' },
      { tool: 'bash', command: 'echo parent-only' },
      { tool: 'submit', result: 'parent' },
    ], { id: 'fork-model', limits: { wall_time_s: 120, max_steps: 10 } }, folder);
    const parent = join(folder, 'parent.jsonl');
    await runTask(await loadTask(taskFile), { out: parent });
    const server = await startChatServer([{ body: completion({ content: '<tool: submit>\nchild\n</tool>' }) }]);
    servers.push(server);

    const out = join(folder, 'child.jsonl');
    const result = await runCli(['replay', parent, '--until', '1', '--model-url', server.url, '--model', 'scripted-model', '--tool-format', 'cwm', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);

    const messages = server.requests[0]!.body.messages as Array<{ role: string; content: string }>;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    expect(messages[2]!.content).toBe('<tool: bash>\necho first > state.txt\n</tool>');
    expect(messages[4]!.content).toBe('<tool: bash>\ncat state.txt\n</tool>');
    expect(messages[5]!.content).toMatch(/^<output>\nfirst\n<\/output>\n\n<budget>/);
    const child = await readTrajectory(out);
    expect(child.steps.map((s) => s.action?.tool)).toEqual(['bash', 'bash', 'submit']);
    expect(child.footer).toMatchObject({ exit_status: 'submitted', submission: 'child' });
  });
});
