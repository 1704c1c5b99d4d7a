import { randomUUID } from 'node:crypto';
import { engine } from '../../src/docker/index.js';
import { createProvider } from '../../src/providers/index.js';
import { LABEL_RUN, RuntimeSandbox, type RuntimeOptions, type SandboxProvider } from '../../src/sandbox/index.js';
import { createDockerBackend } from '../../src/docker/index.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import type { Limits } from '../../src/trajectory/schema.js';
import { PINNED_ENV } from '../../src/runner/environment.js';
import { BASE_IMAGE } from './images.js';

export function testRunId(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

let provider: SandboxProvider | undefined;

/** The provider tests start Docker sandboxes through: the registry's, as the CLI makes it. */
export function testProvider(): SandboxProvider {
  provider ??= createProvider('docker');
  return provider;
}

/** A Docker sandbox of the base image, straight from the runtime (what a provider's `start` returns). */
export async function startTestSandbox(limits: Partial<Limits> = {}, runId = testRunId(), options: RuntimeOptions & { image?: string; workdir?: string } = {}): Promise<RuntimeSandbox> {
  return RuntimeSandbox.start(createDockerBackend(), {
    image: options.image ?? BASE_IMAGE,
    runId,
    taskId: 'test',
    workdir: options.workdir ?? '/work',
    env: { ...PINNED_ENV },
    limits: { ...DEFAULT_LIMITS, ...limits },
  }, options);
}

/** Containers, running or not, labelled with this run id (or any forager run). */
export async function containersOf(runId?: string): Promise<string[]> {
  const label = runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN;
  const list = await engine().listContainers({ all: true, filters: { label: [label] } });
  return list.map((c) => c.Id);
}
