import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyOf, nameOf, readRepoInputs, versionOfTag } from '../../src/env/index.js';
import { tempDir } from '../helpers/tasks.js';

describe('nameOf()', () => {
  it('takes owner/name from URLs, mirrors and folders', () => {
    expect(nameOf('https://github.com/pytoolz/toolz.git')).toBe('pytoolz/toolz');
    expect(nameOf('git@github.com:pallets/click')).toBe('pallets/click');
    expect(nameOf('/work/.mirror/hukkin+tomli/repo')).toBe('hukkin/tomli');
    expect(nameOf('/src/more-itertools/')).toBe('more-itertools');
    expect(keyOf('pytoolz/toolz')).toBe('pytoolz__toolz');
    expect(versionOfTag('v4.12.3')).toBe('4.12.3');
  });
});

describe('readRepoInputs()', () => {
  it('reads list files (location, revision, name) relative to the file, and names a bad line', async () => {
    const dir = await tempDir('forager-env-list-');
    const list = join(dir, 'repos.txt');
    await writeFile(list, '# bench\nmirrors/toolz v1.0 name=pytoolz/toolz\nhttps://example.org/a/b.git\n');
    expect(await readRepoInputs([list, '/abs/repo'])).toEqual([
      { location: join(dir, 'mirrors/toolz'), revision: 'v1.0', name: 'pytoolz/toolz' },
      { location: 'https://example.org/a/b.git', revision: undefined, name: undefined },
      { location: '/abs/repo' },
    ]);
    await writeFile(list, 'a b c d\n');
    await expect(readRepoInputs([list])).rejects.toThrow(`${list}:1: expected "location [revision] [name=owner/name]"`);
  });
});
