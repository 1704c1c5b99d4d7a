import { randomUUID } from 'node:crypto';
import { engine } from '../../src/docker/engine.js';
import { LABEL_RUN } from '../../src/sandbox/labels.js';
import { DockerSandbox } from '../../src/docker/sandbox.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import type { Limits } from '../../src/trajectory/schema.js';
import { PINNED_ENV } from '../../src/runner/environment.js';
import { BASE_IMAGE } from './images.js';

export function testRunId(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

export async function startTestSandbox(limits: Partial<Limits> = {}, runId = testRunId()): Promise<DockerSandbox> {
  return DockerSandbox.start({
    image: BASE_IMAGE,
    runId,
    taskId: 'test',
    workdir: '/work',
    env: { ...PINNED_ENV },
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
}

/** Containers, running or not, labelled with this run id (or any forager run). */
export async function containersOf(runId?: string): Promise<string[]> {
  const label = runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN;
  const list = await engine().listContainers({ all: true, filters: { label: [label] } });
  return list.map((c) => c.Id);
}
