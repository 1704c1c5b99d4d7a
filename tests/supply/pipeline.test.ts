// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvImage, readRecord, resolveRepo, runSuite, type EnvRecord } from '../../src/env/index.js';
import { readSwebenchRows } from '../../src/swebench/index.js';
import { createProvider } from '../../src/providers/index.js';
import { readYield, runSupply, supplyPaths, type SupplyEvent, type TaskVerdict } from '../../src/supply/index.js';
import { findTaskFiles, loadTask } from '../../src/task/index.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';

// hukkin/tomli at 920e20b (tests/fixtures/repos): env build → mine (last 30 commits) → mutate (2) → validate, offline.
const provider = createProvider('docker');
const runId = testRunId();
const tomli = REPO_BUNDLES.tomli;
let out: string;
let events: SupplyEvent[];
let record: EnvRecord;

beforeAll(async () => {
  out = await tempDir('forager-supply-');
  events = [];
  await runSupply([{ location: tomli.path, name: tomli.name }], {
    provider, out, concurrency: 1, runId, repository: TEST_REPOSITORY, last: 30, mutants: 2, seed: 1, onEvent: (e) => events.push(e),
  });
  record = (await readRecord(supplyPaths.env(out, 'hukkin__tomli')))!;
}, 1_800_000);

afterAll(async () => {
  await removeTestImages();
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

describe('runSupply() on a real repository', () => {
  it('verifies the environment with the scripted installer from Debian\'s packages alone', () => {
    expect(record).toMatchObject({ status: 'verified', reason: null, installer: 'scripted', repo: { name: 'hukkin/tomli', commit: tomli.commit } });
    expect(record.recipe!.apt).toEqual([expect.stringMatching(/^python3-pytest=7\.2\./)]);
    expect(record.recipe!.pip).toBeNull();
    // flit_core>=3.12 is newer than Debian's 3.8: the project is put on sys.path without building it.
    expect(record.recipe!.install.mode).toBe('develop');
    expect(record.python).toMatchObject({ version: expect.stringMatching(/^3\.11\./), requires: '>=3.8', satisfied: true });
    expect(record.packages).toEqual(expect.arrayContaining([{ name: 'tomli', version: '2.4.0' }, { name: 'pytest', version: expect.stringMatching(/^7\.2/) }]));
    expect(record.runs).toHaveLength(2);
    expect(record.counts).toMatchObject({ PASSED: 16, FAILED: 0, flaky: 0 });
    expect(Object.keys(record.status_map)).toHaveLength(16);
    expect(record.timings.total_ms).toBeLessThan(5 * 60_000);
  });

  it('gives an image that a fresh container reproduces, and a recipe that rebuilds the same image', async () => {
    const again = await runSuite(provider, record.image!.ref, record.recipe!.test, { runId, taskId: 'reproduce', timeoutS: 300 });
    expect(again.map).toEqual(record.status_map);
    const source = await resolveRepo({ location: tomli.path, name: tomli.name }, join(out, 'sources'));
    const rebuilt = await buildEnvImage(provider, source, record.recipe!, join(out, 'rebuild'), { repository: TEST_REPOSITORY });
    expect(rebuilt.image.id).toBe(record.image!.id);
  });

  it('mines issue-fix tasks in SWE-bench layout whose test lists come from runs before and after', async () => {
    const report = JSON.parse(await readFile(join(supplyPaths.mine(out, 'hukkin__tomli'), 'mine.json'), 'utf8'));
    expect(report).toMatchObject({ scanned: 30, kept: expect.any(Number) });
    expect(report.kept).toBeGreaterThan(0);
    const rows = await readSwebenchRows(join(supplyPaths.mine(out, 'hukkin__tomli'), 'instances.jsonl'));
    expect(rows).toHaveLength(report.kept);
    for (const { instance } of rows) {
      expect(instance.FAIL_TO_PASS.length).toBeGreaterThan(0);
      expect(instance.image_name).toBe(record.image!.ref);
      for (const test of [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS]) {
        const name = test.split('::').pop()!.replace(/\[.*$/, '');
        if (name.length >= 6) expect(instance.problem_statement).not.toContain(name);
      }
    }
    const tasks = await Promise.all((await findTaskFiles([join(supplyPaths.mine(out, 'hukkin__tomli'), 'tasks')])).map((f) => loadTask(f)));
    expect(tasks.map((t) => t.spec.id).sort()).toEqual(rows.map((r) => r.instance.instance_id).sort());
    expect(tasks[0]!.spec).toMatchObject({ repo: { in_image: true, root: '/testbed' }, eval: { parser: 'pytest' }, metadata: { task_type: 'issue-fix' } });
  });

  it('validates every mined and mutated task: the gold patch resolves it, the empty patch does not', async () => {
    const verdicts = JSON.parse(await readFile(supplyPaths.validate(out, 'hukkin__tomli'), 'utf8')).tasks as TaskVerdict[];
    const mined = verdicts.filter((v) => v.kind === 'issue-fix');
    expect(mined.length).toBeGreaterThan(0);
    expect(mined.filter((v) => !v.sound)).toEqual([]);
    expect(verdicts.some((v) => v.kind === 'mutate-fix' && v.sound)).toBe(true);
    const [row] = await readYield(out);
    expect(row).toMatchObject({ repo: 'hukkin/tomli', env: 'verified', scanned: 30, sound_issue_fix: mined.length });
  });

  it('resumes: a second run skips every stage whose output is in place', async () => {
    const second: SupplyEvent[] = [];
    await runSupply([{ location: tomli.path, name: tomli.name }], { provider, out, concurrency: 1, runId, repository: TEST_REPOSITORY, last: 30, mutants: 2, seed: 1, onEvent: (e) => second.push(e) });
    expect(second.filter((e) => e.type === 'stage-skipped').map((e) => (e as { stage: string }).stage)).toEqual(['env', 'mine', 'mutate', 'validate']);
    expect(second.some((e) => e.type === 'stage-started')).toBe(false);
    expect(events.filter((e) => e.type === 'stage-finished')).toHaveLength(4);
  });
});
