import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffOf, isTestPath, scanHistory } from '../../src/mine/index.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';

// hukkin/tomli's real history (tests/fixtures/repos/tomli.bundle, HEAD 920e20b).
let gitDir: string;

beforeAll(async () => {
  gitDir = join(await tempDir('forager-mine-git-'), 'tomli.git');
  execFileSync('git', ['clone', '-q', '--mirror', REPO_BUNDLES.tomli.path, gitDir]);
});

describe('scanHistory()', () => {
  it('finds the commits of the first-parent history that change both tests and code', async () => {
    const scan = await scanHistory(gitDir, REPO_BUNDLES.tomli.commit, 80);
    expect(scan.scanned).toBe(80);
    expect(scan.candidates.length).toBe(15);
    for (const c of scan.candidates) {
      expect(c.testFiles.every(isTestPath)).toBe(true);
      expect(c.codeFiles.length).toBeGreaterThan(0);
      expect(c.parent).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('splits a candidate into a test patch and a gold patch that together are the commit', async () => {
    const [c] = (await scanHistory(gitDir, REPO_BUNDLES.tomli.commit, 80)).candidates;
    const test = await diffOf(gitDir, c!.parent, c!.commit, c!.testFiles);
    const gold = await diffOf(gitDir, c!.parent, c!.commit, [...c!.codeFiles, ...c!.otherFiles]);
    expect([...test.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1])).toEqual(c!.testFiles);
    expect(gold).not.toContain('diff --git a/tests/');
    const whole = execFileSync('git', ['--git-dir', gitDir, 'diff', '--binary', '--no-renames', '--full-index', c!.parent, c!.commit]).toString();
    expect(test.length + gold.length).toBe(whole.length);
  });
});

describe('isTestPath()', () => {
  it('knows test folders, test modules and conftest', () => {
    expect(['tests/test_a.py', 'pkg/tests/data.json', 'test_x.py', 'pkg/x_test.py', 'conftest.py', 'testing/util.py'].every(isTestPath)).toBe(true);
    expect(['src/tomli/_parser.py', 'pkg/contest.py', 'docs/testing.md'].some(isTestPath)).toBe(false);
  });
});
