// @needs docker
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evictImages, recordBuiltImage } from '../../../src/docker/images/index.js';
import { engine } from '../../../src/docker/engine.js';
import { BASE_IMAGE, ensureTestImages } from '../../helpers/images.js';
import { tempDir } from '../../helpers/tasks.js';

const run = promisify(execFile);
const USER_IMAGE = `forager-test-user-image:${process.pid}`;

describe('evictImages on the shared engine: only what forager recorded building', () => {
  let builtFile: string;
  let userImageId: string;

  beforeAll(async () => {
    await ensureTestImages();
    builtFile = join(await tempDir('forager-evict-'), 'built-images.json');
    // Built by hand FROM the base: Docker copies the base's labels into it.
    await run('sh', ['-c', `printf 'FROM ${BASE_IMAGE}\\nLABEL test.evict=user\\n' | docker build -q -t ${USER_IMAGE} -`]);
    userImageId = (await engine().getImage(USER_IMAGE).inspect()).Id;
  }, 120_000);

  afterAll(async () => {
    await engine().getImage(USER_IMAGE).remove().catch(() => undefined);
  });

  it('never chooses an image it did not build, even one inheriting forager.image=1, even over a zero budget', async () => {
    const victims = await evictImages({ budgetBytes: 0, dryRun: true, builtFile, useFile: join(builtFile, '..', 'use.json') });
    expect(victims.map((v) => v.id)).not.toContain(userImageId);
    expect(victims).toEqual([]);
  });

  it('chooses a recorded image, and never the base image even when it is recorded', async () => {
    const docker = engine();
    const baseId = (await docker.getImage(BASE_IMAGE).inspect()).Id;
    await recordBuiltImage(docker, userImageId, USER_IMAGE, builtFile);
    await recordBuiltImage(docker, baseId, BASE_IMAGE, builtFile);
    const victims = await evictImages({ budgetBytes: 0, dryRun: true, builtFile, useFile: join(builtFile, '..', 'use.json') });
    expect(victims.map((v) => v.id)).toEqual([userImageId]);
  });
});
