// @needs podman
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPodmanBackend, podmanClient, readHostFacts } from '../../src/podman/index.js';
import { LABEL_RUN } from '../../src/sandbox/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { captureText } from '../../src/core/capture.js';
import { testRunId } from '../helpers/docker.js';
import { requireRootlessService, rootlessDir, rootlessEndpoint, runCliAsRootless } from '../helpers/rootless.js';
import { writeTask } from '../helpers/tasks.js';

// Rootless Podman on this host's cgroup v1: Podman accepts --memory and --pids-limit and
// ignores them. forager refuses to start such a sandbox unless the operator accepts it,
// and then every trajectory's header says which limits did not hold.
const endpoint = await rootlessEndpoint();
const dirs: string[] = [];
beforeAll(() => requireRootlessService(endpoint));
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function task(actions: Parameters<typeof writeTask>[0]): Promise<{ dir: string; path: string }> {
  const dir = await rootlessDir();
  dirs.push(dir);
  return { dir, path: await writeTask(actions, { id: 'rootless', limits: { pids: 64, memory_mb: 256 } }, dir) };
}

async function sandboxesOf(runId: string): Promise<string[]> {
  const listed = await podmanClient(endpoint).listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } });
  return listed.map((c) => c.Id);
}

describe('rootless Podman where limits cannot be enforced (cgroup v1)', () => {
  it('the service says so: rootless, cgroup v1, no limit enforced', async () => {
    const facts = await readHostFacts(podmanClient(endpoint));
    expect(facts).toMatchObject({ rootless: true, cgroupVersion: 'v1', graphDriver: 'overlay' });
    const error = await createPodmanBackend({ endpoint }).health().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ kind: 'infrastructure', code: 'LIMITS_UNENFORCED', message: expect.stringContaining('--allow-unenforced-limits') });
  });

  it('forager run refuses to start the sandbox without --allow-unenforced-limits, and starts none', async () => {
    const { dir, path } = await task([{ tool: 'bash', command: 'echo never' }]);
    const runId = testRunId();
    const result = await runCliAsRootless(['--sandbox', 'podman', 'run', path, '--out', join(dir, 'out.jsonl'), '--run-id', runId], { CONTAINER_HOST: endpoint });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/runs rootless on cgroup v1[\s\S]*memory_mb, cpus, pids[\s\S]*--allow-unenforced-limits/);
    expect(await sandboxesOf(runId)).toEqual([]);
  });

  it('with the flag the run goes ahead, the header names the unenforced limits, and the sandbox shows they did not hold', async () => {
    const { dir, path } = await task([{ tool: 'bash', command: 'for i in $(seq 100); do sleep 30 & done 2>/dev/null; jobs -p | wc -l; kill $(jobs -p)' }, { tool: 'submit' }]);
    const runId = testRunId();
    const out = join(dir, 'out.jsonl');
    const result = await runCliAsRootless(['--sandbox', 'podman', '--allow-unenforced-limits', 'run', path, '--out', out, '--run-id', runId], { CONTAINER_HOST: endpoint });
    expect(result.code, result.stderr).toBe(0);
    const { header, steps, footer } = await readTrajectory(out);
    expect(header.sandbox).toMatchObject({ provider: 'podman', unenforced_limits: ['memory_mb', 'cpus', 'pids'], runtime: 'runc', state_reader: 'exec' });
    expect(header.limits).toMatchObject({ pids: 64, memory_mb: 256 });
    // The PID limit of 64 did not hold: 100 processes started.
    expect(captureText(steps[0]!.observation!.stdout)).toBe('100\n');
    // A rootless harvester cannot read every folder of the layer: state comes from a listing in the sandbox.
    expect(steps[0]!.state?.probe).toBe('exec');
    expect(footer).toMatchObject({ exit_status: 'submitted' });
    expect(await sandboxesOf(runId)).toEqual([]);
  });

  it('FORAGER_ALLOW_UNENFORCED_LIMITS=1 is the same acceptance, for processes started without the flag', async () => {
    const { dir, path } = await task([{ tool: 'submit' }]);
    const out = join(dir, 'out.jsonl');
    const result = await runCliAsRootless(['--sandbox', 'podman', 'run', path, '--out', out], { CONTAINER_HOST: endpoint, FORAGER_ALLOW_UNENFORCED_LIMITS: '1' });
    expect(result.code, result.stderr).toBe(0);
    expect((await readTrajectory(out)).header.sandbox?.unenforced_limits).toEqual(['memory_mb', 'cpus', 'pids']);
  });
});
