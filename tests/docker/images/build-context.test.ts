// @needs docker
import { chmod, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectContext, hashBuildInput } from '../../../src/docker/images/build-context.js';
import { writeTree } from './helpers.js';

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

async function context(files: Record<string, string>): Promise<string> {
  const dir = await writeTree(files);
  folders.push(dir);
  return dir;
}

const hashOf = async (dir: string, baseImageId = 'sha256:base', dockerfile = 'FROM x'): Promise<string> =>
  hashBuildInput({ dockerfile: Buffer.from(dockerfile), entries: await collectContext(dir), baseImageId });

describe('collectContext()', () => {
  it('lists files, folders and symlinks sorted by path', async () => {
    const dir = await context({ 'b.txt': 'b', 'a/z.txt': 'z', 'a/y.txt': 'y' });
    await symlink('b.txt', join(dir, 'link'));
    const entries = await collectContext(dir);
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual(['directory a', 'file a/y.txt', 'file a/z.txt', 'file b.txt', 'symlink link']);
    expect(entries.find((e) => e.path === 'link')?.target).toBe('b.txt');
  });
});

describe('hashBuildInput()', () => {
  it('is the same for the same content in another folder', async () => {
    const files = { 'Dockerfile': 'FROM x', 'src/app.py': 'print(1)\n' };
    expect(await hashOf(await context(files))).toBe(await hashOf(await context(files)));
  });

  it('changes with a file\'s bytes, its name, its mode, the Dockerfile and the base image', async () => {
    const dir = await context({ 'app.py': 'print(1)\n' });
    const before = await hashOf(dir);
    const seen = new Set([before]);
    await writeFile(join(dir, 'app.py'), 'print(2)\n');
    seen.add(await hashOf(dir));
    await chmod(join(dir, 'app.py'), 0o755);
    seen.add(await hashOf(dir));
    seen.add(await hashOf(await context({ 'main.py': 'print(1)\n' })));
    seen.add(await hashOf(dir, 'sha256:other-base'));
    seen.add(await hashOf(dir, 'sha256:base', 'FROM y'));
    expect(seen.size).toBe(6);
  });

  it('does not confuse where one field ends and the next begins', () => {
    const entry = (path: string, content: string) => ({ path, type: 'file' as const, mode: 0o644, content: Buffer.from(content) });
    const a = hashBuildInput({ dockerfile: Buffer.from(''), entries: [entry('ab', 'c')], baseImageId: '' });
    const b = hashBuildInput({ dockerfile: Buffer.from(''), entries: [entry('a', 'bc')], baseImageId: '' });
    expect(a).not.toBe(b);
  });
});
