// @needs podman
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, evictImages, findImage, recordBuiltImage } from '../../src/docker/index.js';
import { importRootfs } from '../../src/docker/setup/rootfs.js';
import { engineId } from '../../src/docker/images/built-images.js';
import { createPodmanBackend, podmanClient } from '../../src/podman/index.js';
import { createSandboxProvider, LABEL_RUN, RuntimeSandbox } from '../../src/sandbox/index.js';
import { resolveRecordedImage } from '../../src/replay/index.js';
import type { Header, Limits } from '../../src/trajectory/schema.js';
import { execKiller, initChildren, runOneShot } from '../../src/sandbox/process/index.js';
import { PINNED_ENV } from '../../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import { testRunId } from '../helpers/docker.js';
import { freePort, PODMAN_ENDPOINT, TcpPodmanService } from '../helpers/podman.js';
import { tempDir } from '../helpers/tasks.js';
import { writeTree } from '../docker/images/helpers.js';

const started: RuntimeSandbox[] = [];
afterAll(async () => {
  for (const sandbox of started) await sandbox.stop().catch(() => undefined);
});

async function startSandbox(limits: Partial<Limits> = {}): Promise<RuntimeSandbox> {
  const sandbox = await RuntimeSandbox.start(createPodmanBackend({ endpoint: PODMAN_ENDPOINT }), {
    image: BASE_IMAGE, runId: testRunId(), taskId: 'podman-backend', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS, ...limits },
  });
  started.push(sandbox);
  return sandbox;
}

function cgroupFile(id: string, file: string): string {
  return readFileSync(join(`/sys/fs/cgroup/pids/libpod_parent/libpod-${id}`, file), 'latin1').trim();
}

describe('the Podman backend on the local rootful service', () => {
  it('refuses a runtime (gVisor is handled on Docker only) before anything starts', async () => {
    const runId = testRunId();
    const start = RuntimeSandbox.start(createPodmanBackend({ endpoint: PODMAN_ENDPOINT }), {
      image: BASE_IMAGE, runId, taskId: 'podman-runtime', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS, runtime: 'runsc' },
    });
    await expect(start).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE', message: expect.stringContaining('--sandbox docker --runtime runsc') });
    expect(await podmanClient(PODMAN_ENDPOINT).listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } })).toEqual([]);
  });

  it('reads PIDs from the container\'s own cgroup (pids.current, pids.events) and state from its overlay upper directory', async () => {
    const sandbox = await startSandbox({ pids: 50 });
    const facts = await sandbox.box.pids();
    expect(facts.current).toBe(Number(cgroupFile(sandbox.id, 'pids.current')));
    expect(facts.limitHits).toBe(0);
    const view = await sandbox.box.layerView();
    expect(view?.upper).toMatch(/^\/var\/lib\/containers\/storage\/overlay\/[0-9a-f]{64}\/diff$/);
    expect(sandbox.stateReader).toBe('host');
    expect(sandbox.box.unenforcedLimits).toEqual([]);
  });

  it('when every PID is taken, a kill script runs on PIDs lent through libpod\'s update endpoint, and the limit is put back', async () => {
    const sandbox = await startSandbox({ pids: 20 });
    const spare = await initChildren(sandbox.box);
    // Fill the PID limit from outside the session: perl forks until the limit refuses, then
    // holds every PID it got (bash would give up after its fork retries, ~15 s, and free one).
    const filler = await sandbox.box.spawn(['/bin/bash', '-c', `exec perl -e 'for (1..40) { my $p = fork; last unless defined $p; if (!$p) { sleep 300; exit } } sleep 300'`]);
    await expect.poll(async () => (await sandbox.box.pids()).limitHits, { timeout: 30_000 }).toBeGreaterThan(0);
    expect((await sandbox.box.pids()).current).toBe(20);
    // Nothing can start in the sandbox now, not even the kill script without lent PIDs.
    // Podman's exec gets a process in past the limit now and then (2 in 40 at the limit
    // here, a race in its runtime), so of three tries at least one is refused.
    const tries = [];
    for (let i = 0; i < 3; i += 1) tries.push(await runOneShot(sandbox.box, ['/bin/true']).then((r) => r.exitCode, () => 'failed'));
    expect(tries.some((code) => code !== 0)).toBe(true);
    const killed = await execKiller(sandbox.box).killAllBut(spare);
    filler.close();
    expect(killed.killed).toBeGreaterThanOrEqual(15);
    expect(cgroupFile(sandbox.id, 'pids.max')).toBe('20');
    expect(Number(cgroupFile(sandbox.id, 'pids.current'))).toBeLessThanOrEqual(4);
  });

  it('findImage and eviction compare tags as forager wrote them (Podman answers localhost/… and docker.io/library/…)', async () => {
    const docker = podmanClient(PODMAN_ENDPOINT);
    const base = await findImage(BASE_IMAGE, docker);
    expect(base?.tags).toContain(BASE_IMAGE);
    const dir = await writeTree({ 'etc/marker': 'podman eviction test\n' });
    const ref = `forager-podman-test-${process.pid}:evict`;
    // Imported through libpod (the compatible import would name it docker.io/library/…:latest).
    const id = await importRootfs(docker, dir, ref, { changes: ['LABEL forager.image=1'] });
    expect((await docker.getImage(id).inspect()).RepoTags).toEqual([`localhost/${ref}`]);
    expect(await findImage(ref, docker)).toEqual({ id, tags: [ref] });

    const records = await tempDir('forager-podman-evict-');
    const builtFile = join(records, 'built-images.json');
    const useFile = join(records, 'use.json');
    await recordBuiltImage(docker, id, ref, builtFile);
    await recordBuiltImage(docker, base!.id, BASE_IMAGE, builtFile);
    const usedAt = '2026-01-02T03:04:05.000Z';
    await writeFile(useFile, JSON.stringify({ [ref]: usedAt }));
    const planned = await evictImages({ docker, budgetBytes: 0, dryRun: true, builtFile, useFile });
    // The base image is protected although Podman lists it as localhost/forager-base:bookworm; use is found by the familiar tag.
    expect(planned).toEqual([{ id, refs: [ref], sizeBytes: expect.any(Number), lastUsedMs: Date.parse(usedAt) }]);
    await evictImages({ docker, budgetBytes: 0, builtFile, useFile });
    expect(await findImage(ref, docker)).toBeNull();
    expect(await findImage(BASE_IMAGE, docker)).not.toBeNull();
  });

  it('replay\'s retag check holds on Podman: a recorded tag moved to another image is refused, the recorded ID still runs when allowed', async () => {
    const docker = podmanClient(PODMAN_ENDPOINT);
    const ref = `forager-podman-test-${process.pid}:retag`;
    const first = await importRootfs(docker, await writeTree({ 'etc/marker': 'first\n' }), ref, { changes: [] });
    const header = { trajectory_id: 'retag', image: { ref, id: first, digest: null } } as unknown as Header;
    const provider = createSandboxProvider(createPodmanBackend({ endpoint: PODMAN_ENDPOINT }));
    try {
      expect(await resolveRecordedImage(header, { provider })).toMatchObject({ ref: first, id: first });
      // Tagging another image with the same name leaves the first under its ID only.
      const second = await importRootfs(docker, await writeTree({ 'etc/marker': 'second\n' }), ref, { changes: [] });
      expect(second).not.toBe(first);
      await expect(resolveRecordedImage(header, { provider })).rejects.toMatchObject({ code: 'IMAGE_RETAGGED' });
      expect(await resolveRecordedImage(header, { provider, allowRetagged: true })).toMatchObject({ id: first });
      await docker.getImage(second).remove({ force: true });
    } finally {
      await docker.getImage(first).remove({ force: true }).catch(() => undefined);
    }
  });

  it('names the engine in the built-images record by its host and store: the same through another service, although each service makes a new ID', async () => {
    const tcp = new TcpPodmanService(await freePort());
    await tcp.start();
    try {
      const local = podmanClient(PODMAN_ENDPOINT);
      const remote = podmanClient(tcp.host);
      const [a, b] = await Promise.all([local.info(), remote.info()]) as { ID: string }[];
      expect(a!.ID).not.toBe(b!.ID);
      expect(await engineId(local)).toBe(await engineId(remote));
      expect(await engineId(local)).toMatch(/^podman:.+:\/var\/lib\/containers\/storage$/);
    } finally {
      await tcp.stop();
    }
  });
});
