import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isComplete, readTrajectory } from '../../src/trajectory/reader.js';
import { tempDir } from '../helpers/tasks.js';
import { withLineLimit } from '../lines/helpers.js';

const header = {
  type: 'header', format: 'forager.trajectory', version: 1, forager_version: '0', trajectory_id: 't', run_id: 'r', attempt: 0,
  started_at: 'now', task: { id: 'x', hash: 'h', instruction: 'i', spec: {} }, image: { ref: 'a', id: 'b' }, agent: {},
  limits: { wall_time_s: 1, action_timeout_s: 1, max_steps: 1, memory_mb: 1, cpus: 1, pids: 1, network: 'none', max_output_bytes: 1 },
  environment: {}, workdir: '/w', seed: 0, host: { hostname: 'h', platform: 'linux' }, setup: [],
};

describe('readTrajectory', () => {
  it('reads a partial file whose last line was torn by a crash', async () => {
    const path = join(await tempDir(), 't.jsonl');
    await writeFile(path, `${JSON.stringify(header)}\n{"type":"step","ind`);
    const trajectory = await readTrajectory(path);
    expect(trajectory.footer).toBeUndefined();
    expect(await isComplete(path)).toBe(false);
  });

  it('refuses corruption in the middle, naming the line', async () => {
    const path = join(await tempDir(), 't.jsonl');
    await writeFile(path, `${JSON.stringify(header)}\nnot json\n`);
    await appendFile(path, `${JSON.stringify({ type: 'footer' })}\n`);
    await expect(readTrajectory(path)).rejects.toThrow(/:2: not valid JSON/);
  });

  it('names the field of a line that does not fit the schema', async () => {
    const path = join(await tempDir(), 't.jsonl');
    await writeFile(path, `${JSON.stringify({ ...header, attempt: 'first' })}\n`);
    await expect(readTrajectory(path)).rejects.toThrow(/:1: field "attempt"/);
  });
});

describe('readTrajectory: over-long lines', () => {
  it('refuses a step line past the line limit with the file, the line number and the limit', async () => {
    const path = join(await tempDir(), 't.jsonl');
    await writeFile(path, `${JSON.stringify(header)}\n${JSON.stringify({ type: 'step', index: 0, pad: 'p'.repeat(8192) })}\n`);
    await withLineLimit(4096, async () => {
      await expect(readTrajectory(path)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', message: `${path}:2: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)` });
    });
  });
});
