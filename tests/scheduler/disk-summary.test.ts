import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiskSummary } from '../../src/cli/status-disk.js';
import { attemptPath, readBatchStatus, summariseDisk, type SandboxDiskFacts } from '../../src/scheduler/index.js';
import type { Header, Isolation, Step } from '../../src/trajectory/schema.js';
import { buildFooter, buildHeader, buildStep, makeTempDir } from '../export/fixtures.js';

const poll: Isolation = { runtime: 'runc', kernel: 'host', disk: 'poll', disk_bounds: ['poll'], state_reader: 'host' };
const tmpfsWork = (workdir: string): Isolation => ({ runtime: 'runc', kernel: 'host', disk: 'mounts+poll', disk_bounds: [`tmpfs:${workdir}`, 'tmpfs:/tmp', 'poll'], state_reader: `host+exec:${workdir},/tmp` });
const fact = (task: string, header: SandboxDiskFacts['header'], extra: Partial<SandboxDiskFacts> = {}): SandboxDiskFacts => ({ task, attempt: 0, header, limitReached: 0, ...extra });

describe('summariseDisk()', () => {
  it('counts sandboxes by the bound that held their disk, one mode per runtime and bounds, the workdir\'s path set aside', () => {
    const summary = summariseDisk([
      fact('a', { sandbox: { provider: 'docker', ...poll } }),
      fact('b', { sandbox: { provider: 'docker', ...poll } }),
      fact('c', { sandbox: { provider: 'docker', ...tmpfsWork('/work') } }),
      fact('d', { sandbox: { provider: 'docker', ...tmpfsWork('/srv/app') } }),
      fact('e', { sandbox: { provider: 'docker', runtime: 'runsc-memory', kernel: 'gvisor', disk: 'kernel', disk_bounds: ['memory:/'], state_reader: 'exec' } }),
      fact('f', { sandbox: { provider: 'docker', ...poll, state_reader: 'exec' } }),
    ]);
    expect(summary).toMatchObject({ sandboxes: 6, bounds: { kernel: 1, 'mounts+poll': 2, poll: 3, unrecorded: 0 }, unreadable: 0, overshoot: null, limitReached: 0 });
    expect(summary.modes).toEqual([
      { disk: 'mounts+poll', runtime: 'runc', bounds: ['tmpfs:workdir', 'tmpfs:/tmp', 'poll:host-watcher'], sandboxes: 2 },
      { disk: 'poll', runtime: 'runc', bounds: ['poll:host-watcher'], sandboxes: 2 },
      { disk: 'kernel', runtime: 'runsc-memory', bounds: ['memory:/'], sandboxes: 1 },
      { disk: 'poll', runtime: 'runc', bounds: ['poll:engine-size'], sandboxes: 1 },
    ]);
  });

  it('keeps the largest overshoot with its task, attempt and step, and counts every step that reached the limit', () => {
    const summary = summariseDisk([
      fact('small', { sandbox: poll }, { limitReached: 1, overshoot: { bytes: 1000, step: 4 } }),
      fact('large', { sandbox: poll }, { attempt: 2, limitReached: 1, overshoot: { bytes: 5_000_000, step: 9 } }),
      fact('kernel', { sandbox: tmpfsWork('/work') }, { limitReached: 1 }),
    ]);
    expect(summary.overshoot).toEqual({ bytes: 5_000_000, task: 'large', attempt: 2, step: 9 });
    expect(summary.limitReached).toBe(3);
  });

  it('counts older headers as unrecorded (runtime from the limits, else the engine\'s default) and files without a header as unreadable', () => {
    const summary = summariseDisk([fact('old', { runtime: 'runsc' }), fact('older', {}), fact('crashed', null)]);
    expect(summary).toMatchObject({ sandboxes: 2, bounds: { unrecorded: 2 }, unreadable: 1 });
    expect(summary.modes.map((m) => m.runtime).sort()).toEqual(['default', 'runsc']);
  });
});

async function writeLines(path: string, lines: unknown[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

function header(task: string, sandbox: Header['sandbox']): Header {
  return { ...buildHeader({ id: task, taskId: task, steps: [] }), sandbox };
}

function diskStep(index: number, overshoot?: number): Step {
  const step = buildStep({ action: { tool: 'bash', command: 'fallocate -l 1G big' } }, index);
  step.observation!.disk_limit_reached = true;
  if (overshoot !== undefined) step.observation!.disk_overshoot_bytes = overshoot;
  return step;
}

describe('readBatchStatus() disk', () => {
  it('reads each attempt\'s header, and the overshoot of the attempts that ended at the disk limit and of partial ones', async () => {
    const out = await makeTempDir('forager-status-disk-');
    const diskFooter = buildFooter({ id: 'x', taskId: 'x', steps: [], footer: { exit_status: 'error', failure_kind: 'agent', error: { kind: 'agent', code: 'DISK_LIMIT', message: 'past disk_mb' } } });
    await writeLines(attemptPath(out, 'polled', 0), [header('polled', { provider: 'docker', ...poll }), buildStep({ action: { tool: 'bash', command: 'ls' } }, 0), diskStep(1, 7_340_032), diskFooter]);
    await writeLines(attemptPath(out, 'mounted', 0), [header('mounted', { provider: 'docker', ...tmpfsWork('/work') }), buildStep({ action: { tool: 'bash', command: 'ls' } }, 0), buildFooter({ id: 'm', taskId: 'mounted', steps: [{ action: null }] })]);
    // Crashed after its disk step: no footer, still read.
    await writeLines(attemptPath(out, 'crashed', 0), [header('crashed', { provider: 'docker', ...poll }), diskStep(0, 1024)]);
    // Started, nothing written yet.
    await writeLines(attemptPath(out, 'empty', 0), []);
    const { disk } = await readBatchStatus(out);
    expect(disk).toMatchObject({ sandboxes: 3, bounds: { 'mounts+poll': 1, poll: 2 }, unreadable: 1, limitReached: 2, overshoot: { bytes: 7_340_032, task: 'polled', attempt: 0, step: 1 } });
  });

  it('reports no overshoot for a batch whose steps recorded none', async () => {
    const out = await makeTempDir('forager-status-disk-');
    await writeLines(attemptPath(out, 'quiet', 0), [header('quiet', { provider: 'docker', ...poll }), buildFooter({ id: 'q', taskId: 'quiet', steps: [] })]);
    const { disk } = await readBatchStatus(out);
    expect(disk).toMatchObject({ sandboxes: 1, bounds: { poll: 1 }, overshoot: null, limitReached: 0 });
  });
});

describe('formatDiskSummary()', () => {
  it('says how many sandboxes each bound held, per mode, and the largest overshoot with its task', () => {
    const text = formatDiskSummary(summariseDisk([
      fact('a', { sandbox: poll }, { limitReached: 1, overshoot: { bytes: 3 * 1024 * 1024, step: 2 } }),
      fact('b', { sandbox: tmpfsWork('/work') }),
    ])).join('\n');
    expect(text).toContain('disk of 2 sandboxes: by the kernel 0; workdir and /tmp by the kernel, the rest by the poll 1; by the poll 1');
    expect(text).toMatch(/\n +1 {2}mounts\+poll {2}runc {2}tmpfs:workdir tmpfs:\/tmp poll:host-watcher/);
    expect(text).toContain('disk overshoot: largest 3.0 MiB (3145728 bytes) let through by the poll, task a attempt 0 step 2; 1 step reached the disk limit');
  });

  it('says none was recorded, and prints nothing for a batch without sandboxes', () => {
    expect(formatDiskSummary(summariseDisk([fact('a', { sandbox: poll })])).at(-1)).toBe('disk overshoot: none recorded; 0 steps reached the disk limit');
    expect(formatDiskSummary(summariseDisk([]))).toEqual([]);
  });
});
