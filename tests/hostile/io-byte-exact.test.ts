// @needs docker
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureText } from '../../src/core/capture.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import type { Step } from '../../src/trajectory/schema.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { BASE_IMAGE, ensureTestImages } from '../helpers/images.js';
import { runMeasuredCli } from '../helpers/measured-cli.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

const RSS_BOUND_MB = 300;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const out = (step: Step) => captureText(step.observation!.stdout);

/** Invalid UTF-8 (lone continuation, overlong, surrogate, 0xff), NUL and CRLF, far from the edited span. */
function hostileBytes(): { before: Buffer; after: Buffer } {
  const head = Buffer.concat([Buffer.from([0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00]), Buffer.from('header\r\n'.repeat(2000))]);
  const tail = Buffer.concat([Buffer.from('trailer\r\n'.repeat(2000)), Buffer.from([0xc3, 0x28, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x00, 0xfe])]);
  return {
    before: Buffer.concat([head, Buffer.from('value = MIDDLE-MARKER\n'), tail]),
    after: Buffer.concat([head, Buffer.from('value = EDITED ✓\n'), tail]),
  };
}

describe('edit is byte-exact', () => {
  beforeAll(async () => {
    await ensureTestImages();
  });

  it('keeps every non-UTF-8 byte outside the edited span, in the file and in the patch', async () => {
    const dir = await tempDir('forager-byte-exact-');
    const { before, after } = hostileBytes();
    await mkdir(join(dir, 'repo'), { recursive: true });
    await writeFile(join(dir, 'repo', 'data.bin'), before);
    const task = await writeTask([
      { tool: 'bash', command: 'sha256sum data.bin | cut -c1-64' },
      { tool: 'edit', path: 'data.bin', search: 'MIDDLE-MARKER', replace: 'EDITED ✓' },
      { tool: 'bash', command: 'sha256sum data.bin | cut -c1-64' },
      { tool: 'submit' },
    ], { image: { ref: BASE_IMAGE }, repo: { path: 'repo' } }, dir);
    const runId = testRunId();
    const file = join(dir, 'run.jsonl');
    const result = await runMeasuredCli(['run', task, '--out', file, '--run-id', runId]);
    expect(result.peakRssMb!).toBeLessThan(RSS_BOUND_MB);
    const { steps, footer } = await readTrajectory(file);
    expect(footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    expect(out(steps[0]!).trim()).toBe(sha256(before));
    expect(steps[1]!.observation!.exit_code).toBe(0);
    expect(steps[1]!.state!.changes).toEqual([expect.objectContaining({ path: '/work/data.bin', change: 'modified' })]);
    expect(out(steps[2]!).trim()).toBe(sha256(after));
    // The patch, applied to the original on the host, gives exactly the edited bytes.
    const clone = join(dir, 'clone');
    await mkdir(clone);
    await writeFile(join(clone, 'data.bin'), before);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: clone });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    await writeFile(join(dir, 'run.patch'), footer!.patch!);
    git('apply', join(dir, 'run.patch'));
    expect(sha256(await readFile(join(clone, 'data.bin')))).toBe(sha256(after));
    expect(await containersOf(runId)).toEqual([]);
  }, 180_000);

  it('edits a file just under the cap (16 MB of random bytes) exactly, with the harvester under its bound', async () => {
    const dir = await tempDir('forager-byte-exact-big-');
    const task = await writeTask([
      { tool: 'bash', command: "head -c 16700000 /dev/urandom > big.bin && printf 'NEEDLE-7f3a9c' >> big.bin && head -c 4096 /dev/urandom >> big.bin && { head -c 16700000 big.bin; printf 'found'; tail -c 4096 big.bin; } | sha256sum | cut -c1-64" },
      { tool: 'edit', path: 'big.bin', search: 'NEEDLE-7f3a9c', replace: 'found' },
      { tool: 'bash', command: 'sha256sum big.bin | cut -c1-64' },
      { tool: 'submit' },
    ], { limits: { action_timeout_s: 120 } }, dir);
    const runId = testRunId();
    const file = join(dir, 'run.jsonl');
    const result = await runMeasuredCli(['run', task, '--out', file, '--run-id', runId]);
    expect(result.code).toBe(0);
    expect(result.peakRssMb!).toBeLessThan(RSS_BOUND_MB);
    const { steps } = await readTrajectory(file);
    expect(steps[1]!.observation!.exit_code).toBe(0);
    expect(out(steps[2]!)).toBe(out(steps[0]!));
    expect(await containersOf(runId)).toEqual([]);
  }, 180_000);
});
