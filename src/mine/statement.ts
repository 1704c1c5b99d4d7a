/** Where a task's problem statement came from. */
export type StatementSource = 'pull-request' | 'commit-message';

export interface ProblemStatement {
  text: string;
  source: StatementSource;
  /** Lines or names taken out because they would give the answer away. */
  redactions: number;
}

const MERGE_PR = /^Merge pull request #(\d+) from \S+\s*$/;
const TRAILER = /^(Signed-off-by|Co-authored-by|Reviewed-by|Acked-by|Change-Id|Cc):/i;

/**
 * The problem statement of a mined task, from its commit: a merged pull request's title
 * and body (a GitHub merge commit's message after its "Merge pull request #N" line),
 * else the commit's message; trailers dropped. Names of the tests that decide the task
 * and lines of the patches are taken out: the statement says what is wrong, not which
 * test checks it or how it was fixed. Null when nothing is left to state.
 */
export function problemStatement(message: string, options: { tests: string[]; patches: string[] }): ProblemStatement | null {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  let source: StatementSource = 'commit-message';
  if (MERGE_PR.test(lines[0] ?? '')) {
    source = 'pull-request';
    lines.shift();
  }
  const testNames = new Set(options.tests.flatMap(testNameParts).filter((n) => n.length >= 6));
  const patchLines = new Set(options.patches.flatMap((p) => p.split('\n')).filter((l) => /^[+-][^+-]/.test(l)).map((l) => l.slice(1).trim()).filter((l) => l.length >= 12));
  let redactions = 0;
  const kept: string[] = [];
  for (const raw of lines) {
    if (TRAILER.test(raw.trim())) continue;
    if (patchLines.has(raw.trim())) {
      redactions += 1;
      continue;
    }
    let line = raw;
    for (const name of testNames) {
      if (line.includes(name)) {
        line = line.split(name).join('a test');
        redactions += 1;
      }
    }
    kept.push(line);
  }
  const text = kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  // A bare merge line or a one-word message ("fix", "wip") states no problem.
  if (text.replace(/[^A-Za-z]/g, '').length < 12) return null;
  return { text, source, redactions };
}

/** The names in a test id worth hiding: its function and class (`tests/test_a.py::TestX::test_y[1]` → test_y, TestX, test_a). */
function testNameParts(id: string): string[] {
  const parts = id.split('::');
  const file = parts[0]!.split('/').pop()!.replace(/\.py$/, '');
  return [file, ...parts.slice(1).map((p) => p.replace(/\[.*$/, ''))].filter((p) => /^test|^Test|test$/i.test(p) || p.includes('test'));
}
