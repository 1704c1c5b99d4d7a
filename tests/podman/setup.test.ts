// @needs podman
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPodmanBackend, podmanClient } from '../../src/podman/index.js';
import { containersConf, readRlimits } from '../../src/podman/setup/conf.js';
import { ensureService } from '../../src/podman/setup/service.js';
import { silentLogger } from '../../src/core/log.js';
import { runCli } from '../helpers/cli.js';

describe('forager setup --sandbox podman', () => {
  it('finds the service, the base image and the recipe, runs a probe sandbox, and makes nothing', async () => {
    const result = await runCli(['setup', '--sandbox', 'podman', '--recipe', 'base']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/engine\s+Podman already answering at unix:\/\/\/run\/podman\/podman\.sock/);
    expect(result.stdout).toMatch(/host\s+rootful, cgroup v1, storage overlay at \/var\/lib\/containers\/storage; memory, CPU and PID limits enforced/);
    expect(result.stdout).toMatch(/sandbox\s+a probe sandbox started and was removed/);
    expect(result.stdout).toMatch(/disk\s+a sandbox's disk is bounded by default by the poll, with the overshoot recorded on the step: the engine refuses --storage-opt size \(--storage-opt is supported only for overlay over xfs with 'pquota' mount option\), so the host's watcher/);
    expect(result.stdout).toContain('ready: nothing to do');
  });

  it('the service it started reads forager\'s containers.conf, and only that (CONTAINERS_CONF), with rlimits it may give', () => {
    const pid = readFileSync('/run/podman/forager-podman.pid', 'utf8').trim();
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    expect(environ).toContain('CONTAINERS_CONF=/etc/forager/podman/containers.conf');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')).toEqual(['podman', 'system', 'service', '--time', '0', 'unix:///run/podman/podman.sock', ''].map((a, i) => (i === 0 ? expect.stringMatching(/podman$/) : a)));
    expect(readFileSync('/etc/forager/podman/containers.conf', 'utf8')).toBe(containersConf(readRlimits()));
    // The service's own limits are those the file gives its containers.
    const limits = readFileSync(`/proc/${pid}/limits`, 'latin1');
    const { nofile, nproc } = readRlimits();
    expect(limits).toMatch(new RegExp(`Max open files\\s+\\d+\\s+${nofile}\\s`));
    expect(limits).toMatch(new RegExp(`Max processes\\s+\\d+\\s+${nproc}\\s`));
  });

  it('starts a service only on the user\'s default socket: elsewhere it says what to do', async () => {
    const endpoint = 'unix:///tmp/forager-no-podman-here.sock';
    const error = await ensureService({ endpoint, docker: podmanClient(endpoint), log: silentLogger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', message: expect.stringContaining('forager starts one only on this user\'s default socket (unix:///run/podman/podman.sock)') });
    expect((error as Error).message).toContain(`podman system service -t 0 ${endpoint}`);
  });

  it('a service that does not answer is an infrastructure error naming it and how to start one', async () => {
    const error = await createPodmanBackend({ endpoint: 'tcp://127.0.0.1:1' }).health().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'infrastructure', code: 'ENGINE_UNREACHABLE', message: expect.stringContaining('forager setup --sandbox podman') });
  });
});
