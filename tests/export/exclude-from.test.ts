// @needs docker
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { exportTrajectories, indexExistingSet } from '../../src/export/index.js';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

const FIXTURES = fileURLToPath(new URL('../import/fixtures', import.meta.url));

/** An imported mini-swe-agent trajectory as the existing set, and a new batch with a near copy of it and an unrelated run. */
async function setUp() {
  const dir = await makeTempDir('forager-exclude-');
  const existing = join(dir, 'existing');
  const [written] = (await importTrajectories('mini-swe-agent', [join(FIXTURES, 'mini-swe-agent', 'hand-written')], existing)).written;
  const imported = await readDatasetTrajectory(written!);
  const commands = imported.steps.map((s) => (s.action?.tool === 'bash' ? s.action.command : ''));
  // The same work under another name, its last command changed a little.
  const near = [...commands.slice(0, -1), commands.at(-1)!.replace('git diff --cached', 'git diff --cached --stat')];
  await writeTrajectory(join(dir, 'batch', 'near.jsonl'), bashTrajectory('near', 'django__django-11099', near, { repo: 'django/django' }));
  await writeTrajectory(join(dir, 'batch', 'other.jsonl'), bashTrajectory('other', 'django__django-12000', ['ls docs', 'make -C docs html', 'python -m sphinx -b linkcheck docs out'], { repo: 'django/django' }));
  return { dir, existing, importedId: imported.header.trajectory_id };
}

describe('exportTrajectories() - excludeFrom', () => {
  it('drops a near-duplicate of an imported trajectory and keeps the rest, naming what it copied', async () => {
    const { dir, existing, importedId } = await setUp();
    const index = await indexExistingSet([existing], 0.5);
    expect(index.size).toBe(1);
    const out = join(dir, 'out.jsonl');
    const report = await exportTrajectories([join(dir, 'batch')], { format: 'jsonl', out, excludeFrom: index });
    const kept = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).header.trajectory_id);
    expect(kept).toEqual(['other']);
    expect(report.excluded_near_duplicates).toMatchObject({ sets: [existing], indexed: 1, threshold: 0.5, dropped: [{ trajectory_id: 'near', duplicate_of: importedId }] });
    expect(report.excluded_near_duplicates!.dropped[0]!.similarity).toBeGreaterThanOrEqual(0.5);
  });

  it('indexes an hf export folder the same way, from its steps shards', async () => {
    const { dir, existing, importedId } = await setUp();
    await exportTrajectories([existing], { format: 'hf', out: join(dir, 'hf') });
    const index = await indexExistingSet([join(dir, 'hf')], 0.5);
    expect(index.size).toBe(1);
    const report = await exportTrajectories([join(dir, 'batch')], { format: 'jsonl', out: join(dir, 'o.jsonl'), excludeFrom: index });
    expect(report.excluded_near_duplicates?.dropped.map((d) => [d.trajectory_id, d.duplicate_of])).toEqual([['near', importedId]]);
    expect(report.exported).toBe(1);
  });

  it('forager export --exclude-from reports the drop and says so in the hf card', async () => {
    const { dir, existing } = await setUp();
    const out = join(dir, 'hf-new');
    let stdout = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['node', 'forager', 'export', join(dir, 'batch'), '--format', 'hf', '--out', out, '--exclude-from', existing]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(stdout).toContain(`near-duplicates of ${existing} (1 indexed) dropped: 1`);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain(`near-duplicates of \`${existing}\` removed (Jaccard >= 0.5): 1 dropped`);
  });

  it('--dedup works across sources: an imported SWE-bench trajectory and a harvested one of the same repository', async () => {
    const { dir, existing, importedId } = await setUp();
    const imported = await readDatasetTrajectory(join(existing, 'trajectories', 'django__django-11099', '0.jsonl'));
    expect(imported.header.task.spec['metadata']).toEqual({ repo: 'django/django' });
    const report = await exportTrajectories([existing, join(dir, 'batch')], { format: 'jsonl', out: join(dir, 'd.jsonl'), dedup: { threshold: 0.5 } });
    expect(report.dedup?.dropped.map((d) => [d.trajectory_id, d.duplicate_of, d.repo])).toEqual([['near', importedId, 'django/django']]);
    expect(report.exported).toBe(2);
  });
});
