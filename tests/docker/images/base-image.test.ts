// @needs docker
import { chmod, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, ensureBaseImage, LABEL_IMAGE } from '../../../src/docker/images/index.js';
import { importRootfs } from '../../../src/docker/setup/rootfs.js';
import { docker, removeTestImages, TEST_REPOSITORY, writeTree } from './helpers.js';

afterAll(removeTestImages);

describe('ensureBaseImage()', () => {
  it('is idempotent: a second call finds the image and returns at once', async () => {
    const first = await ensureBaseImage();
    const started = Date.now();
    const second = await ensureBaseImage();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(second).toEqual({ ref: BASE_IMAGE, id: first.id, action: 'present' });
    expect((await docker.getImage(BASE_IMAGE).inspect()).Id).toBe(first.id);
  });

  it('gives concurrent callers the same image', async () => {
    const results = await Promise.all([ensureBaseImage(), ensureBaseImage(), ensureBaseImage()]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });
});

describe('importRootfs()', () => {
  it('imports a folder as an image through the Engine API, keeping modes and symlinks', async () => {
    const dir = await writeTree({ 'etc/hello.txt': 'hello from a rootfs\n', 'bin/run.sh': '#!/bin/sh\necho run\n' });
    await chmod(join(dir, 'bin/run.sh'), 0o755);
    await symlink('hello.txt', join(dir, 'etc/greeting'));
    await mkdir(join(dir, 'tmp'), { mode: 0o1777 });
    try {
      const ref = `${TEST_REPOSITORY}:rootfs`;
      const id = await importRootfs(docker, dir, ref, { changes: [`LABEL ${LABEL_IMAGE}=1`, 'ENV LANG=C.UTF-8'] });
      const image = await docker.getImage(ref).inspect();
      expect(image.Id).toBe(id);
      expect(image.Config.Labels?.[LABEL_IMAGE]).toBe('1');
      expect(image.Config.Env).toContain('LANG=C.UTF-8');
      const entries = await readImageEntries(ref);
      expect(entries.get('etc/hello.txt')).toMatchObject({ type: 'file', content: 'hello from a rootfs\n' });
      expect(entries.get('bin/run.sh')?.mode).toBe(0o755);
      expect(entries.get('etc/greeting')).toMatchObject({ type: 'symlink', linkname: 'hello.txt' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface ImageEntry { type: string; mode: number; linkname?: string; content: string }

/** The files of a single-layer image, read from a (never started, always removed) container's export. */
async function readImageEntries(ref: string): Promise<Map<string, ImageEntry>> {
  const container = await docker.createContainer({ Image: ref, Cmd: ['none'], Labels: { 'forager.run': `test-images-${process.pid}` } });
  try {
    const extract = tar.extract();
    const entries = new Map<string, ImageEntry>();
    (await container.export()).pipe(extract);
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const name = entry.header.name.replace(/^\.?\//, '');
      entries.set(name, { type: entry.header.type ?? 'file', mode: (entry.header.mode ?? 0) & 0o7777, linkname: entry.header.linkname ?? undefined, content: Buffer.concat(chunks).toString() });
    }
    return entries;
  } finally {
    await container.remove({ force: true });
  }
}
