// @needs docker
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageBuildError, LABEL_HASH, LABEL_IMAGE, LABEL_RECIPE, resolveImage } from '../../../src/docker/images/index.js';
import { docker, removeTestImages, runInImage, TEST_REPOSITORY, writeTree } from './helpers.js';
import { classifyError } from '../../../src/core/failure.js';

const folders: string[] = [];
const nonce = `${process.pid}-${Date.now()}`;

/** A task folder whose Dockerfile copies hello.txt into the image. */
async function taskWithDockerfile(extraRun = 'true', hello = `hello ${nonce}`): Promise<string> {
  const dir = await writeTree({
    'Dockerfile': `ARG BASE_IMAGE=forager-base:bookworm\nFROM \${BASE_IMAGE}\nCOPY hello.txt /hello.txt\nRUN ${extraRun}\n`,
    'hello.txt': hello,
  });
  folders.push(dir);
  return dir;
}

const created = async (ref: string): Promise<string> => (await docker.getImage(ref).inspect()).Created;

afterAll(async () => {
  await removeTestImages();
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('resolveImage()', () => {
  it('builds a Dockerfile once, then reuses the image tagged by its content hash', async () => {
    const taskDir = await taskWithDockerfile();
    const first = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY });
    expect(first.built).toBe(true);
    expect(first.ref).toMatch(new RegExp(`^${TEST_REPOSITORY}:[0-9a-f]{16}$`));
    expect(first.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.digest).toBeNull();
    expect(first.buildLog).toContain('COPY hello.txt /hello.txt');
    const builtAt = await created(first.ref);

    const second = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY });
    expect(second).toEqual({ ref: first.ref, id: first.id, digest: null, built: false });
    expect(await created(first.ref)).toBe(builtAt);

    const labels = (await docker.getImage(first.ref).inspect()).Config.Labels ?? {};
    expect(labels[LABEL_IMAGE]).toBe('1');
    expect(labels[LABEL_HASH]?.slice(0, 16)).toBe(first.ref.split(':')[1]);
    expect((await runInImage(first.ref, ['cat', '/hello.txt'])).output).toBe(`hello ${nonce}`);
  });

  it('gives a new tag when a context file changes', async () => {
    const taskDir = await taskWithDockerfile('true', `before ${nonce}`);
    const before = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY });
    await writeFile(join(taskDir, 'hello.txt'), `after ${nonce}`);
    const after = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY });
    expect(after.ref).not.toBe(before.ref);
    expect(after.built).toBe(true);
    expect((await runInImage(after.ref, ['cat', '/hello.txt'])).output).toBe(`after ${nonce}`);
  });

  it('shares one build between concurrent callers of the same content', async () => {
    const taskDir = await taskWithDockerfile('true', `concurrent ${nonce}`);
    const results = await Promise.all([1, 2, 3].map(() => resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.ref)).size).toBe(1);
    expect(results.filter((r) => r.built)).toHaveLength(1);
  });

  it('builds a Dockerfile that lies outside its context folder', async () => {
    const taskDir = await writeTree({
      'docker/Dockerfile': 'ARG BASE_IMAGE=forager-base:bookworm\nFROM ${BASE_IMAGE}\nCOPY . /ctx/\nRUN test -f /ctx/data.txt && test ! -e /ctx/Dockerfile-outside\n',
      'ctx/data.txt': nonce,
    });
    folders.push(taskDir);
    const image = await resolveImage({ dockerfile: 'docker/Dockerfile', context: 'ctx' }, { taskDir, repository: TEST_REPOSITORY });
    expect((await runInImage(image.ref, ['cat', '/ctx/data.txt'])).output).toBe(nonce);
  });

  it('turns a failing RUN into a task error carrying the build log', async () => {
    const taskDir = await taskWithDockerfile(`echo build-is-failing-${nonce} && exit 7`);
    const error = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    const failure = error as ImageBuildError;
    expect(failure.code).toBe('IMAGE_BUILD_FAILED');
    expect(failure.kind).toBe('task');
    expect(failure.message).toContain(`build-is-failing-${nonce}`);
    expect(failure.message).toContain('non-zero code: 7');
    expect(failure.log).toContain('Step 3/');
    const tagged = await docker.listImages({ filters: { reference: [String(failure.context.ref)] } });
    expect(tagged).toEqual([]);
  });

  it('raises IMAGE_BUILD_TRANSIENT (infrastructure, retried) when a build fails on a mirror hiccup', async () => {
    const taskDir = await taskWithDockerfile(`echo "Err:1 http://deb.debian.org/debian bookworm InRelease" && echo "  Temporary failure resolving 'deb.debian.org' ${nonce}" && exit 100`);
    const error = await resolveImage({ dockerfile: 'Dockerfile' }, { taskDir, repository: TEST_REPOSITORY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    expect(error).toMatchObject({ code: 'IMAGE_BUILD_TRANSIENT', kind: 'infrastructure' });
    expect(classifyError(error)).toBe('retry-now');
    expect((error as ImageBuildError).log).toContain(`Temporary failure resolving 'deb.debian.org' ${nonce}`);
  });

  it('says IMAGE_MISSING for a { ref } the engine does not have', async () => {
    await expect(resolveImage({ ref: `${TEST_REPOSITORY}:never-built` })).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      kind: 'task',
      message: expect.stringContaining(`${TEST_REPOSITORY}:never-built`),
    });
  });

  it('names the recipes there are when a recipe is unknown', async () => {
    await expect(resolveImage('no-such-recipe')).rejects.toMatchObject({
      code: 'IMAGE_RECIPE_MISSING',
      message: expect.stringMatching(/no recipe "no-such-recipe".*recipes: .*python/),
    });
  });

  it('builds the python recipe on the base image, with pytest, and reuses it', async () => {
    const first = await resolveImage('python');
    const second = await resolveImage({ recipe: 'python' });
    expect(second).toMatchObject({ ref: first.ref, id: first.id, built: false });
    expect(first.ref).toMatch(/^forager-env:[0-9a-f]{16}$/);
    expect((await docker.getImage(first.ref).inspect()).Config.Labels?.[LABEL_RECIPE]).toBe('python');
    const pytest = await runInImage(first.ref, ['python3', '-m', 'pytest', '--version']);
    expect(pytest).toMatchObject({ exitCode: 0, output: expect.stringContaining('pytest') });
  });
});
