import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats, exportTrajectories } from '../../src/export/index.js';
import { HARNESS_SIDECAR } from '../../src/swebench/index.js';
import { query } from './duckdb.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

const PATCH = 'diff --git a/x b/x\n';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A batch of three attempts that forager graded unresolved (reward 0), then an official
 * harness run attached: inst-1 resolved, inst-2 an error (no grade: forager's own stands),
 * inst-3 graded on a patch the file no longer holds (a re-run: the old verdict is not applied).
 */
async function gradedBatch(): Promise<string> {
  const dir = await makeTempDir();
  const batch = join(dir, 'batch');
  for (const n of [1, 2, 3]) {
    await writeTrajectory(join(batch, 'trajectories', `inst-${n}`, '0.jsonl'), bashTrajectory(`t${n}`, `inst-${n}`, [`make fix-${n}`], { repo: 'org/x', footer: { reward: 0, evaluation: { resolved: false } } }));
  }
  const entry = (n: number, resolved: boolean | null, patch = PATCH) => ({ resolved, reward: resolved === null ? null : resolved ? 1 : 0, trajectory: `trajectories/inst-${n}/0.jsonl`, patch_sha256: sha(patch) });
  await writeFile(join(batch, HARNESS_SIDECAR), JSON.stringify({
    format: 'forager-swebench-harness', version: 1, source: '/runs/model.run1.json', imported_at: '2026-11-30T00:00:00.000Z',
    instances: { 'inst-1': entry(1, true), 'inst-2': entry(2, null), 'inst-3': entry(3, true, 'diff --git a/other b/other\n') },
    unknown_ids: [],
  }));
  return batch;
}

describe('official harness verdicts in stats and exports', () => {
  it('take precedence over forager\'s own grade for the attempt they were given to, and only while its patch is the one graded', async () => {
    const batch = await gradedBatch();
    const stats = await computeStats([batch]);
    expect(stats).toMatchObject({ trajectories: 3, resolved: 1 });

    const out = join(batch, '..', 'chat.jsonl');
    await exportTrajectories([batch], { format: 'chat', out });
    const rows = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { instance_id: string; resolved: boolean; reward: number });
    expect(rows.map((r) => [r.instance_id, r.resolved, r.reward])).toEqual([['inst-1', true, 1], ['inst-2', false, 0], ['inst-3', false, 0]]);

    const resolvedOnly = join(batch, '..', 'resolved.jsonl');
    const report = await exportTrajectories([batch], { format: 'jsonl', out: resolvedOnly, filters: { resolved: true } });
    expect(report.exported).toBe(1);
    const line = JSON.parse((await readFile(resolvedOnly, 'utf8')).trim()) as { header: { task: { id: string } }; footer: { reward: number }; grade: unknown };
    // The file's own footer is kept as it was; the verdict rides beside it.
    expect(line).toMatchObject({ header: { task: { id: 'inst-1' } }, footer: { reward: 0 }, grade: { resolved: true, reward: 1, source: '/runs/model.run1.json' } });

    const parquet = join(batch, '..', 'parquet');
    await exportTrajectories([batch], { format: 'parquet', out: parquet });
    const table = await query(`SELECT instance_id, resolved, reward, footer_json FROM read_parquet('${parquet}/trajectories*.parquet') ORDER BY instance_id`);
    expect(table.map((r) => [r.instance_id, r.resolved, r.reward])).toEqual([['inst-1', true, 1], ['inst-2', false, 0], ['inst-3', false, 0]]);
    expect(JSON.parse(String(table[0]!.footer_json)).reward).toBe(0);
  });

  it('stops the read with the file and the field when the sidecar is damaged', async () => {
    const batch = await gradedBatch();
    await writeFile(join(batch, HARNESS_SIDECAR), JSON.stringify({ format: 'forager-swebench-harness', version: 1, source: 'x', imported_at: 'y', instances: { 'inst-1': { resolved: 'yes' } }, unknown_ids: [] }));
    await expect(computeStats([batch])).rejects.toThrow(new RegExp(`${HARNESS_SIDECAR}: field "instances.inst-1.resolved": .*run it again`));
  });
});
