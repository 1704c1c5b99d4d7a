import type { HarnessStatus, StatusMap } from './types.js';

// `python -m unittest -v` (any unittest runner at verbosity 2). Each test is keyed twice:
// dotted (`module.Class.test_x`) and as unittest prints it before Python 3.11
// (`test_x (module.Class)`), whichever a task's lists use. Unlike the harness's Django
// parser, a docstring line stands for the test named on the line above it.

const TEST_LINE = /^(\S+) \(([\w.]+)\)(?:$| \.\.\. (.*)$)/;

function outcome(text: string): HarnessStatus | undefined {
  const t = text.trim();
  if (t === 'ok' || t.endsWith(' ok')) return 'PASSED';
  if (t === 'FAIL' || t.endsWith(' FAIL') || t === 'unexpected success') return 'FAILED';
  if (t === 'ERROR' || t.endsWith(' ERROR')) return 'ERROR';
  if (t.startsWith('skipped')) return 'SKIPPED';
  if (t === 'expected failure') return 'XFAIL';
  return undefined;
}

function keys(name: string, where: string): string[] {
  const cls = where.endsWith(`.${name}`) ? where.slice(0, -name.length - 1) : where;
  return [`${cls}.${name}`, `${name} (${cls})`];
}

export function parseUnittest(log: string): StatusMap {
  const map: StatusMap = {};
  let pending: string[] | undefined;
  const settle = (ids: string[], status: HarnessStatus): void => {
    for (const id of ids) map[id] = status;
  };
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const test = TEST_LINE.exec(line);
    if (test) {
      pending = keys(test[1]!, test[2]!);
      const status = test[3] === undefined ? undefined : outcome(test[3]);
      if (status) {
        settle(pending, status);
        pending = undefined;
      }
      continue;
    }
    const summary = /^(FAIL|ERROR): (\S+) \(([\w.]+)\)/.exec(line);
    if (summary) {
      for (const id of keys(summary[2]!, summary[3]!)) if (map[id] === undefined || map[id] === 'PASSED') map[id] = summary[1] === 'FAIL' ? 'FAILED' : 'ERROR';
      continue;
    }
    if (!pending) continue;
    // A docstring line (`Does x. ... ok`) or the outcome on a line of its own after printed output.
    const tail = line.includes(' ... ') ? line.slice(line.lastIndexOf(' ... ') + 5) : line;
    const status = outcome(tail);
    if (status && (line.includes(' ... ') || tail.trim() === line.trim())) {
      settle(pending, status);
      pending = undefined;
    }
  }
  return map;
}
