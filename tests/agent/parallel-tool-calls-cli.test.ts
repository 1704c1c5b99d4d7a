// @needs docker
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { runCli } from '../helpers/cli.js';
import { containersOf } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

describe('forager run --parallel-tool-calls', () => {
  const servers: ChatServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('run: carries out both calls of one answer as two steps, on the real engine', async () => {
    const server = await startChatServer([
      { body: completion({ content: null, tool_calls: [{ name: 'bash', arguments: { command: 'echo one > f' }, id: 'p1' }, { name: 'bash', arguments: { command: 'cat f' }, id: 'p2' }] }) },
      { body: completion({ content: null, tool_calls: [{ name: 'submit', arguments: { result: 'ok' }, id: 'p3' }] }) },
    ]);
    servers.push(server);
    const folder = await tempDir();
    const task = await writeTask([{ tool: 'submit' }], { id: 'parallel-cli', limits: { wall_time_s: 120, max_steps: 10 } }, folder);
    const out = join(folder, 'out.jsonl');
    const runId = `parallel-cli-${process.pid}`;
    const result = await runCli(['run', task, '--model-url', server.url, '--model', 'm', '--parallel-tool-calls', 'run', '--out', out, '--run-id', runId]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await containersOf(runId)).toEqual([]);
    const { header, steps } = await readTrajectory(out);
    expect(header.agent).toMatchObject({ type: 'model', model: { parallel_tool_calls: 'run' } });
    expect(steps.map((s) => [s.tool_call_id, s.shown])).toEqual([['p1', '[no output]'], ['p2', 'one'], ['p3', '[no output]']]);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a mode it does not know, naming the field', async () => {
    const folder = await tempDir();
    const task = await writeTask([{ tool: 'submit' }], { id: 'parallel-bad' }, folder);
    const result = await runCli(['run', task, '--model-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--parallel-tool-calls', 'all', '--out', join(folder, 'x.jsonl')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('parallel_tool_calls');
  });
});
