// @needs docker
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvironment, envDir, resolveRepo, type EnvRecord } from '../../src/env/index.js';
import { createProvider } from '../../src/providers/index.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';
import { bridgeGateway, buildWheels, servePipIndex, type PipIndex } from './support/pip-index.js';

// python-humanize/humanize at c3a124c (tests/fixtures/repos) with --pip-index: an index this test serves
// itself (on the Docker bridge's gateway, the host address containers reach) from wheels it builds.
const provider = createProvider('docker');
const runId = testRunId();
const humanize = REPO_BUNDLES.humanize;
let index: PipIndex;
let record: EnvRecord;
let out: string;

beforeAll(async () => {
  const wheels = await buildWheels(provider, [
    { name: 'freezegun', version: '1.2.1', requires: ['python-dateutil>=2.7'], modules: ['freezegun'], debian: 'python3-freezegun' },
    { name: 'python-dateutil', version: '2.8.2', requires: ['six>=1.5'], modules: ['dateutil'], debian: 'python3-dateutil' },
    { name: 'six', version: '1.16.0', requires: [], modules: ['six.py'], debian: 'python3-six' },
  ], runId);
  index = await servePipIndex(wheels, await bridgeGateway());
  out = await tempDir('forager-pip-index-');
  const source = await resolveRepo({ location: humanize.path, name: humanize.name }, join(out, 'sources'));
  record = await buildEnvironment(source, { provider, dir: envDir(out, source.key), runId, pipIndex: index.url, repository: TEST_REPOSITORY, testTimeoutS: 600 });
}, 1_800_000);

afterAll(async () => {
  await index?.close();
  await removeTestImages();
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

describe('env build --pip-index', () => {
  it('installs what the index serves from it, and the rest from Debian', () => {
    expect(record).toMatchObject({ status: 'verified', installer: 'scripted' });
    expect(record.recipe!.pip).toEqual({ index: index.url, requirements: ['freezegun'] });
    const from = Object.fromEntries(record.resolutions.map((r) => [r.name, r.from]));
    expect(from).toMatchObject({ freezegun: 'index', pytest: 'debian', 'pytest-benchmark': 'debian' });
    expect(record.recipe!.apt.some((p) => p.startsWith('python3-freezegun='))).toBe(false);
  });

  it('builds the image from the index: the wheels and their dependencies were fetched and are installed', () => {
    expect(index.requests).toEqual(expect.arrayContaining(['/simple/freezegun/', '/files/freezegun-1.2.1-py3-none-any.whl', '/files/python_dateutil-2.8.2-py3-none-any.whl', '/files/six-1.16.0-py3-none-any.whl']));
    expect(record.packages).toEqual(expect.arrayContaining([{ name: 'freezegun', version: '1.2.1' }, { name: 'python-dateutil', version: '2.8.2' }]));
  });

  it('runs the suite that needs them, the same in two fresh containers', () => {
    expect(record.counts.PASSED).toBeGreaterThan(600);
    expect(Object.keys(record.status_map).some((id) => id.startsWith('tests/test_time.py::'))).toBe(true);
    expect(record.flaky).toEqual([]);
  });
});
