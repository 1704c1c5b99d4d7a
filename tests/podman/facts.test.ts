import { describe, expect, it } from 'vitest';
import { containersConf, defaultSocket, familiarTag, parseRlimits, podmanEndpoint, unenforcedLimits } from '../../src/podman/index.js';

describe('unenforcedLimits()', () => {
  it('rootful: every limit is enforced where its controller is there (cgroup v1 or v2)', () => {
    expect(unenforcedLimits({ rootless: false, cgroupVersion: 'v1', controllers: ['cpuset', 'cpu', 'cpuacct', 'memory', 'pids'] })).toEqual([]);
    expect(unenforcedLimits({ rootless: false, cgroupVersion: 'v2', controllers: ['cpu', 'memory', 'pids', 'io'] })).toEqual([]);
  });

  it('rootless on cgroup v1: none is enforced, whatever the service lists', () => {
    expect(unenforcedLimits({ rootless: true, cgroupVersion: 'v1', controllers: ['memory', 'pids', 'cpu'] })).toEqual(['memory_mb', 'cpus', 'pids']);
  });

  it('rootless on cgroup v2: the limits whose controllers are not delegated to the user', () => {
    expect(unenforcedLimits({ rootless: true, cgroupVersion: 'v2', controllers: ['cpu', 'memory', 'pids'] })).toEqual([]);
    expect(unenforcedLimits({ rootless: true, cgroupVersion: 'v2', controllers: ['memory', 'pids'] })).toEqual(['cpus']);
    expect(unenforcedLimits({ rootless: true, cgroupVersion: 'v2', controllers: [] })).toEqual(['memory_mb', 'cpus', 'pids']);
  });
});

describe('familiarTag()', () => {
  it('drops the registry Podman adds to a short name, and nothing else', () => {
    expect(familiarTag('localhost/forager-base:bookworm')).toBe('forager-base:bookworm');
    expect(familiarTag('docker.io/library/forager-env:6911b2cecbc5c361')).toBe('forager-env:6911b2cecbc5c361');
    expect(familiarTag('docker.io/swebench/sweb.eval.x86_64.a:latest')).toBe('swebench/sweb.eval.x86_64.a:latest');
    expect(familiarTag('quay.io/org/image:1')).toBe('quay.io/org/image:1');
    expect(familiarTag('localhost:5000/image:1')).toBe('localhost:5000/image:1');
  });
});

describe('containers.conf for the service forager starts', () => {
  const LIMITS = [
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max processes             96367                96367                processes',
    'Max open files            1024                 20000                files',
    'Max locked memory         8388608              8388608              bytes',
  ].join('\n');

  it('reads the hard limits of open files and processes; unlimited is left to Podman', () => {
    expect(parseRlimits(LIMITS)).toEqual({ nofile: 20000, nproc: 96367 });
    expect(parseRlimits('Max processes             unlimited            unlimited            processes\n')).toEqual({ nofile: undefined, nproc: undefined });
  });

  it('asks no rlimit above them, and gives Docker\'s environment (no TERM)', () => {
    const conf = containersConf({ nofile: 20000, nproc: 32768 });
    expect(conf).toContain('[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n');
    expect(conf).toContain('env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]');
    expect(containersConf({})).toContain('default_ulimits = []');
  });
});

describe('podmanEndpoint()', () => {
  it('takes CONTAINER_HOST (unix or tcp), else the socket Podman names for the user', () => {
    expect(podmanEndpoint({ CONTAINER_HOST: 'tcp://127.0.0.1:8888' }, 0)).toBe('tcp://127.0.0.1:8888');
    expect(podmanEndpoint({}, 0)).toBe('unix:///run/podman/podman.sock');
    expect(podmanEndpoint({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('unix:///run/user/1000/podman/podman.sock');
    expect(defaultSocket({ TMPDIR: '/scratch' }, 4242)).toBe('/scratch/podman-run-4242/podman/podman.sock');
  });

  it('refuses ssh:// with what to do instead', () => {
    expect(() => podmanEndpoint({ CONTAINER_HOST: 'ssh://me@host/run/podman/podman.sock' }, 0)).toThrow(/unix:\/\/ or tcp:\/\/ only[\s\S]*ssh -L/);
  });
});
