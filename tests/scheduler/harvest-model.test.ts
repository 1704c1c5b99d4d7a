// @needs docker
import { testProvider } from '../helpers/docker.js';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/model/index.js';
import { harvest } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer, type ReceivedRequest } from '../model/support/chat-server.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

/** A model that runs `echo` twice, then submits, whatever run is asking. */
function reply(request: ReceivedRequest) {
  const turns = (request.body.messages as Array<{ role: string }>).filter((m) => m.role === 'assistant').length;
  const content = turns < 2 ? `<tool: bash>\necho turn ${turns}\n</tool>` : '<tool: submit>\ndone\n</tool>';
  return { body: completion({ content }) };
}

describe('harvest() with model flags', () => {
  const servers: ChatServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('drives every task with the model given on the command line, under one shared rate limit', async () => {
    const server = await startChatServer(Array.from({ length: 50 }, () => reply));
    servers.push(server);
    const dir = await tempDir();
    for (const id of ['m-1', 'm-2', 'm-3']) await writeTask([{ tool: 'bash', command: 'true' }], { id }, join(dir, 'tasks'));
    const result = await harvest({ provider: testProvider(),
      paths: [join(dir, 'tasks')], out: join(dir, 'out'), concurrency: 3, attempts: 1, retries: 0,
      agentOverrides: { baseUrl: server.url, model: 'scripted-model', toolFormat: 'forager' },
      // 4 requests at once, then 4 a second: 9 requests cannot all go within 1.25 s.
      rateLimiter: createRateLimiter({ requestsPerMinute: 240, burstMs: 1000 }),
    });
    expect(result.outcomes.map((o) => o.status)).toEqual(['submitted', 'submitted', 'submitted']);
    const trajectory = await readTrajectory(result.outcomes[0]!.path!);
    expect(trajectory.header.agent).toMatchObject({ type: 'model', model: { model: 'scripted-model', tool_format: 'forager' } });
    expect(trajectory.steps.map((s) => s.action?.tool)).toEqual(['bash', 'bash', 'submit']);
    const times = server.requests.map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(9);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1_100);
  });

  it('reports a task the flags cannot turn into a model run, and runs none of it', async () => {
    const dir = await tempDir();
    await writeTask([{ tool: 'bash', command: 'true' }], { id: 'scripted' }, join(dir, 'tasks'));
    const result = await harvest({ provider: testProvider(),
      paths: [join(dir, 'tasks')], out: join(dir, 'out'), concurrency: 1, attempts: 1, retries: 0,
      agentOverrides: { model: 'only-a-name' },
    });
    expect(result.outcomes).toEqual([]);
    expect(result.rejected[0]?.message).toMatch(/model settings: base_url/);
  });
});
