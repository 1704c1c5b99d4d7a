// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvironment, envDir, resolveRepo, type EnvRecord } from '../../src/env/index.js';
import { mineRepository, type MineReport } from '../../src/mine/index.js';
import { createProvider } from '../../src/providers/index.js';
import { readSwebenchRows } from '../../src/swebench/index.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';

// pytoolz/toolz at 568c2b8 (tests/fixtures/repos), offline: its environment on Python 3.11, then
// chosen commits of its history mined again, old ones whose files mix tests that fail for the
// bug with tests that fail because Python 3.11 dropped an API the old code used.
const provider = createProvider('docker');
const runId = testRunId();
const toolz = REPO_BUNDLES.toolz;
const SERIALIZE_JUXT = '5905c0b658b719b7e42ff53f414af156b6a1a555'; // #197: juxt made picklable; test_curry fails on inspect.getargspec at both ends
const ACCUMULATE_37 = '2bf9e8b7a3ce9e0e9e376bee0795ca194c6fcf95'; // #410: accumulate under PEP 479; other tests of the file fail on collections.Sequence
const COMPAT_37 = '8da305854df13ad4c0caeb48d0fb0c588a4198ef'; // #386: the parent's functoolz.py is no Python 3.7+; the fix is that line
const CURRY_MODULE = 'be3ce86c058112658fa4421a87c6b10b4304975d'; // #355: its own functoolz.py is no Python 3.11 (an unparenthesised generator argument)
let out: string;
let record: EnvRecord;

beforeAll(async () => {
  out = await tempDir('forager-mine-toolz-');
  const source = await resolveRepo({ location: toolz.path, name: toolz.name }, join(out, 'sources'));
  record = await buildEnvironment(source, { provider, dir: envDir(out, source.key), runId, repository: TEST_REPOSITORY, testTimeoutS: 600 });
}, 1_800_000);

afterAll(async () => {
  await removeTestImages();
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

describe('mineRepository() on toolz\'s old history', () => {
  it('keeps a test that fails for the bug beside tests that fail for Python 3.11, and says why each dropped commit went', async () => {
    expect(record.status).toBe('verified');
    const dir = join(out, 'mine');
    const report: MineReport = await mineRepository(record, { provider, dir, runId, last: 200, commits: [SERIALIZE_JUXT.slice(0, 10), ACCUMULATE_37, COMPAT_37, CURRY_MODULE] });
    expect(report).toMatchObject({ scanned: 200, candidates: 4, kept: 3, dropped: { does_not_run: 1 } });
    expect(report.drops).toEqual([{ commit: CURRY_MODULE, reason: 'does_not_run', detail: expect.stringContaining('SyntaxError: Generator expression must be parenthesized') }]);
    const rows = Object.fromEntries((await readSwebenchRows(join(dir, 'instances.jsonl'))).map(({ instance }) => [instance.instance_id, instance]));
    const juxt = rows[`pytoolz__toolz-${SERIALIZE_JUXT.slice(0, 12)}`]!;
    expect(juxt.FAIL_TO_PASS).toEqual(['toolz/tests/test_serialization.py::test_juxt']);
    expect(juxt.PASS_TO_PASS).toEqual(['toolz/tests/test_serialization.py::test_compose']);
    const accumulate = rows[`pytoolz__toolz-${ACCUMULATE_37.slice(0, 12)}`]!;
    expect(accumulate.FAIL_TO_PASS).toEqual(['toolz/tests/test_itertoolz.py::test_accumulate']);
    // The syntax error the commit fixes is its subject: the tests it makes collect again are FAIL_TO_PASS.
    expect(rows[`pytoolz__toolz-${COMPAT_37.slice(0, 12)}`]!.FAIL_TO_PASS.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dir, 'mine.json'), 'utf8')).drops).toEqual(report.drops);
  }, 600_000);

  it('refuses a chosen commit that is no candidate of the window', async () => {
    await expect(mineRepository(record, { provider, dir: join(out, 'none'), runId, last: 50, commits: [SERIALIZE_JUXT] }))
      .rejects.toMatchObject({ code: 'MINE_COMMIT_NOT_CANDIDATE', message: expect.stringContaining('5905c0b658') });
  });
});
