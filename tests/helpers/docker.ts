import { randomUUID } from 'node:crypto';
import { createProvider } from '../../src/providers/index.js';
import { RuntimeSandbox, type RuntimeOptions, type SandboxProvider } from '../../src/sandbox/index.js';
import { createDockerBackend } from '../../src/docker/index.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import type { Limits } from '../../src/trajectory/schema.js';
import { PINNED_ENV } from '../../src/runner/environment.js';
import { BASE_IMAGE } from './images.js';

export function testRunId(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

let provider: SandboxProvider | undefined;

/**
 * The provider tests start sandboxes through: the registry's, as the CLI makes it, for
 * FORAGER_SANDBOX (the vitest project: docker, or podman for the suites run on both).
 */
export function testProvider(): SandboxProvider {
  provider ??= createProvider();
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

/** Sandboxes, running or not, labelled with this run id (or any forager run), on the test provider's backend. */
export async function containersOf(runId?: string): Promise<string[]> {
  return (await testProvider().reap({ runId, dryRun: true })).map((s) => s.id);
}
