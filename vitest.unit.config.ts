import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/** What a test file needs beyond this process, from its `// @needs docker redis …` line (none: a unit test). */
export function needsOf(file: string): string[] {
  const head = readFileSync(file, 'utf8').slice(0, 500);
  return /^\/\/ @needs (.+)$/m.exec(head)?.[1]?.trim().split(/\s+/) ?? [];
}

export function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * `npm run test:unit`: every test file that needs no engine, service or browser — the
 * ones without a `// @needs …` line (pure modules, and the runner, scheduler and session
 * logic over the unsandboxed test backend). `npm test` stays the whole suite. The engine
 * endpoint is pointed nowhere, so an untagged test that reaches for Docker fails here.
 */
export const UNIT_TESTS = testFiles('tests').filter((file) => needsOf(file).length === 0);

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    testTimeout: 30_000,
    // Pure modules need no process of their own: threads start faster than forks.
    pool: 'threads',
    globalSetup: ['tests/tmp-setup.ts'],
    env: { DOCKER_HOST: 'tcp://127.0.0.1:1', FORAGER_ALLOW_UNSANDBOXED: '1' },
  },
});
