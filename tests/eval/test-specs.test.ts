import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { testDirectives } from '../../src/eval/test-specs.js';

const CASES = new URL('../fixtures/swebench-directives/directives.json', import.meta.url);

describe('testDirectives()', () => {
  it('gives the directives the harness\'s get_test_directives gave each recorded test patch (a header quoted in content, \\r, spaces, non-test files)', async () => {
    const cases = JSON.parse(await readFile(CASES, 'utf8')) as { repo: string; test_patch: string; directives: string[] }[];
    expect(cases).toHaveLength(5);
    expect(cases.map((c) => testDirectives(c.repo, c.test_patch))).toEqual(cases.map((c) => c.directives));
  });
});
