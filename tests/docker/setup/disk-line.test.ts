// @needs docker
import { describe, expect, it } from 'vitest';
import { describeDiskBounds, engine } from '../../../src/docker/index.js';
import { runCli } from '../../helpers/cli.js';
import { BASE_IMAGE } from '../../helpers/images.js';

describe('forager setup: how a sandbox\'s disk is bounded on this host', () => {
  it('says the poll bounds it by default here, why (the engine\'s refusal of --storage-opt size), which poll, and what --disk-mount adds', async () => {
    const result = await runCli(['setup', '--sandbox', 'docker', '--recipe', 'base']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const disk = result.stdout.split('\n').filter((line) => line.startsWith('disk '));
    expect(disk).toHaveLength(1);
    // Measured here (ENVIRONMENT.md): overlay2 on ext4 refuses --storage-opt size, and root with python3 reads the layer.
    expect(disk[0]).toMatch(/by default by the poll, with the overshoot recorded on the step: the engine refuses --storage-opt size \(--storage-opt is supported only for overlay over xfs with 'pquota' mount option\), so the host's watcher/);
    expect(disk[0]).toMatch(/workdir and \/tmp by the kernel with --disk-mount tmpfs \(counts against memory\) or loop/);
    expect(result.stdout).toMatch(/\nstate +read from the host by a watcher over the writable layer/);
  });

  it('says the engine\'s size is the poll where this host cannot read the layers, and why', async () => {
    const report = await describeDiskBounds(engine(), BASE_IMAGE, { hostLayer: false });
    expect(report.watcher).toEqual({ ok: false, why: expect.stringContaining('not readable') });
    expect(report.line).toMatch(/so the engine's count of the layer's size \(asked again and again while a step runs, as this engine's layers are not readable/);
  });
});
