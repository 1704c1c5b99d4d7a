import type { StatusMap } from './types.js';

// The harness's parse_log_sympy, restated, for sympy's runner (`bin/test -C --verbose`):
// `test_name ok|F|E` per test, and a `___ path.py:test_name ___` banner over each failure.
// As in the harness, the last test of a file shares its line with `[OK]`/`[FAIL]` and so is
// not read from that line (a failure is still caught by its banner, under `path.py:name`).

const BANNER = /(_*) (.*)\.py:(.*) (_*)/g;

export function parseSympy(log: string): StatusMap {
  const map: StatusMap = {};
  for (const match of log.matchAll(BANNER)) map[`${match[2]}.py:${match[3]}`] = 'FAILED';
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('test_')) continue;
    const name = line.split(/\s+/)[0]!;
    if (line.endsWith(' E')) map[name] = 'ERROR';
    if (line.endsWith(' F')) map[name] = 'FAILED';
    if (line.endsWith(' ok')) map[name] = 'PASSED';
  }
  return map;
}
