// @needs docker
import { testProvider } from '../helpers/docker.js';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harvest, readBatchStatus } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

describe('harvest() and a model that answers 401', () => {
  const servers: ChatServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('does not retry it, records it final with failure kind task, and a resume does not redo it', async () => {
    const server = await startChatServer(Array.from({ length: 20 }, () => ({ status: 401, body: { error: { message: 'invalid api key' } } })));
    servers.push(server);
    const dir = await tempDir();
    await writeTask([{ tool: 'submit' }], { id: 'unauthorised' }, join(dir, 'tasks'));
    const options = {
      provider: testProvider(), paths: [join(dir, 'tasks')], out: join(dir, 'out'), concurrency: 1, attempts: 1, retries: 3,
      agentOverrides: { baseUrl: server.url, model: 'stand-in', toolFormat: 'openai' as const, maxRetries: 3 },
      backoff: { baseMs: 10, capMs: 50 },
    };
    const first = await harvest(options);
    expect(first.outcomes).toHaveLength(1);
    expect(first.outcomes[0]).toMatchObject({ status: 'error', failureKind: 'task', code: 'MODEL_HTTP_401', retries: 0 });
    expect(server.requests).toHaveLength(1);
    const trajectory = await readTrajectory(first.outcomes[0]!.path!);
    expect(trajectory.footer).toMatchObject({ exit_status: 'error', failure_kind: 'task', error: { kind: 'task', code: 'MODEL_HTTP_401' } });
    expect(await readBatchStatus(options.out)).toMatchObject({ complete: 1, redo: 0 });

    const resumed = await harvest(options);
    expect(resumed).toMatchObject({ planned: 1, skipped: 1, outcomes: [] });
    expect(server.requests).toHaveLength(1);
  });
});
