import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDjango, PARSERS, universalNewlines, type StatusMap } from '../../src/eval/parsers/index.js';

const LOGS = fileURLToPath(new URL('../fixtures/swebench-logs', import.meta.url));

/**
 * Where forager stays stricter than the harness on purpose (docs/repository-tasks.md): a
 * `SKIPPED [N] file:line` summary line names no test (the harness keys `[N]`), and a
 * `-v` line the harness's parse_log_pytest_v2 reads backwards (`id PASSED` keyed `PASSED`).
 */
function deliberate(kind: string, key: string, harnessValue: string): boolean {
  if (/^\[\d+\]$/.test(key) && harnessValue === 'SKIPPED') return true;
  return kind === 'pytest-v2' && ['PASSED', 'FAILED', 'SKIPPED', 'ERROR', 'XFAIL'].includes(key);
}

describe('forager\'s parsers against the SWE-bench harness\'s own, on real runner logs (\\r included)', () => {
  it('give the status maps parse_log_* gave each recorded log, test by test (counted)', async () => {
    const counted = { logs: 0, tests: 0, same: 0, deliberate: 0 };
    for (const name of (await readdir(LOGS)).filter((n) => n.endsWith('.harness.json')).sort()) {
      const harness = JSON.parse(await readFile(join(LOGS, name), 'utf8')) as { parser: string; map: StatusMap };
      const kind = name.startsWith('pytest-v2') ? 'pytest-v2' : name.split('-')[0]!;
      const mine = PARSERS[kind as keyof typeof PARSERS].parse(await readFile(join(LOGS, name.replace('.harness.json', '.txt')), 'utf8'));
      for (const key of new Set([...Object.keys(harness.map), ...Object.keys(mine)])) {
        counted.tests += 1;
        if (harness.map[key] === mine[key]) counted.same += 1;
        else {
          expect([name, key, mine[key], deliberate(kind, key, harness.map[key]!)]).toEqual([name, key, undefined, true]);
          counted.deliberate += 1;
        }
      }
      counted.logs += 1;
    }
    expect(counted).toEqual({ logs: 16, tests: 86, same: 84, deliberate: 2 });
  });

  it('a Django test that draws progress with \\r passes, as the harness reads it; read raw, it would be missing', async () => {
    const log = await readFile(join(LOGS, 'django-cr.txt'), 'utf8');
    expect(log).toContain('test_download (progress.tests.ProgressTests.test_download) ... downloading 10%\rdownloading 100%\rok\n');
    const key = 'test_download (progress.tests.ProgressTests.test_download)';
    expect(PARSERS.django.parse(log)[key]).toBe('PASSED');
    expect(parseDjango(log)[key]).toBeUndefined();
    expect(universalNewlines('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
  });
});
