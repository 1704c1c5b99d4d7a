import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CgroupPids } from '../../src/docker/pids.js';
import { tempDir } from '../helpers/tasks.js';

let root: string;

beforeAll(async () => {
  root = await tempDir('forager-pids-');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cgroup(name: string, current: string, events: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'pids.current'), current);
  await writeFile(join(dir, 'pids.events'), events);
  return dir;
}

describe('CgroupPids', () => {
  it('takes the first folder that holds a readable pids.current, and reads both files afresh each time', async () => {
    const dir = await cgroup('a', '3\n', 'max 0\n');
    const pids = CgroupPids.find([join(root, 'missing'), dir])!;
    expect(pids).toBeDefined();
    expect(pids.read()).toEqual({ current: 3, limitHits: 0 });
    // Kept open, read from offset 0: a longer and then a shorter text are both read whole.
    await writeFile(join(dir, 'pids.current'), '1024\n');
    await writeFile(join(dir, 'pids.events'), 'max 17\n');
    expect(pids.read()).toEqual({ current: 1024, limitHits: 17 });
    await writeFile(join(dir, 'pids.current'), '2\n');
    expect(pids.read()).toEqual({ current: 2, limitHits: 17 });
    pids.close();
  });

  it('says nothing once closed, and nothing about a folder without the files', async () => {
    const dir = await cgroup('b', '5\n', 'max 1\n');
    const pids = CgroupPids.find([dir])!;
    pids.close();
    pids.close();
    expect(pids.read()).toEqual({ current: undefined, limitHits: undefined });
    expect(CgroupPids.find([join(root, 'none')])).toBeUndefined();
  });

  it('reads pids.current alone where pids.events is missing (an older kernel)', async () => {
    const dir = join(root, 'c');
    await mkdir(dir);
    await writeFile(join(dir, 'pids.current'), '7\n');
    const pids = CgroupPids.find([dir])!;
    expect(pids.read()).toEqual({ current: 7, limitHits: undefined });
    pids.close();
  });
});
