import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { makeTempDir } from '../export/fixtures.js';

const REPO_FILES = fileURLToPath(new URL('./fixtures/swe-agent/repo', import.meta.url));

describe('import swe-agent: round trip against SWE-agent\'s own .traj files', () => {
  it('every step of every file: the action as SWE-agent recorded it (trailing newline and all) and the observation, byte for byte (counted)', async () => {
    const counted = { files: 0, steps: 0, actions: 0, observations: 0, trailingNewlines: 0, patches: 0 };
    const names = (await readdir(REPO_FILES)).filter((n) => n.endsWith('.traj')).sort();
    const report = await importTrajectories('swe-agent', [REPO_FILES], await makeTempDir('forager-import-'));
    expect(report).toMatchObject({ files: names.length, imported: names.length, invalid: 0 });
    for (const [k, name] of names.entries()) {
      const expected = JSON.parse(await readFile(join(REPO_FILES, name.replace(/\.traj$/, '.expected.json')), 'utf8')) as { steps: { action: string; observation: string }[]; patch: string | null };
      const t = await readDatasetTrajectory(report.written[k]!);
      expect([name, t.steps.length]).toEqual([name, expected.steps.length]);
      expected.steps.forEach((step, i) => {
        expect([name, i, t.steps[i]!.action]).toEqual([name, i, { tool: 'bash', command: step.action }]);
        expect([name, i, t.steps[i]!.shown]).toEqual([name, i, step.observation]);
        counted.actions += 1;
        counted.observations += 1;
        if (step.action.endsWith('\n')) counted.trailingNewlines += 1;
      });
      expect([name, t.footer?.patch ?? null]).toEqual([name, expected.patch]);
      if (expected.patch !== null) counted.patches += 1;
      counted.files += 1;
      counted.steps += t.steps.length;
    }
    expect(counted).toEqual({ files: 5, steps: 30, actions: 30, observations: 30, trailingNewlines: 9, patches: 4 });
  });

  it('a file holding only history (function_calling_simple.traj): steps from its action messages, with their tool calls', async () => {
    const out = await makeTempDir('forager-import-');
    const report = await importTrajectories('swe-agent', [join(REPO_FILES, 'function_calling_simple.traj')], out);
    const t = await readDatasetTrajectory(report.written[0]!);
    expect((t.header as { source?: unknown }).source).toMatchObject({ format: 'swe-agent', extra: { layout: 'history' } });
    expect(t.steps[0]).toMatchObject({ action: { tool: 'bash', command: 'find_file missing_colon.py' }, tool_call_id: 'call_PbWErNIge3YTrli3fiVvmIid', model: { tool_calls: [{ id: 'call_PbWErNIge3YTrli3fiVvmIid', name: 'find_file' }] } });
    expect(t.steps.at(-1)?.action).toEqual({ tool: 'bash', command: 'submit' });
    expect(t.footer?.patch).toBeUndefined();
  });
});
