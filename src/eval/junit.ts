import { XMLParser } from 'fast-xml-parser';

/** How one test ended; `xfail` (an expected failure) counts as passing, as SWE-bench counts it. */
export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'xfail' | 'missing';

export interface TestCase {
  classname: string;
  name: string;
  status: Exclude<TestStatus, 'missing'>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

/** Every testcase in a JUnit XML report (pytest's, or any xunit producer's). */
export function parseJunit(xml: string): TestCase[] {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const cases: TestCase[] = [];
  const visit = (suite: Record<string, unknown>): void => {
    for (const child of (suite.testsuite as Record<string, unknown>[] | undefined) ?? []) visit(child);
    for (const test of (suite.testcase as Record<string, unknown>[] | undefined) ?? []) cases.push(toCase(test));
  };
  visit((doc.testsuites as Record<string, unknown> | undefined) ?? { testsuite: doc.testsuite });
  return cases;
}

function toCase(test: Record<string, unknown>): TestCase {
  const classname = String(test.classname ?? '');
  const name = String(test.name ?? '');
  const skipped = test.skipped as Record<string, unknown>[] | undefined;
  if (test.error) return { classname, name, status: 'error' };
  if (test.failure) return { classname, name, status: 'failed' };
  if (skipped) return { classname, name, status: skipped.some((s) => String(s?.type ?? '') === 'pytest.xfail') ? 'xfail' : 'skipped' };
  return { classname, name, status: 'passed' };
}

/**
 * The keys a test id may be found under: pytest node ids (`tests/test_a.py::Cls::test_x`
 * → classname `tests.test_a.Cls`, name `test_x`), Django-style `test_x (mod.Cls)`, or
 * `classname.name`. JUnit cases are keyed `classname::name`.
 */
export function junitKey(id: string): string {
  if (id.includes('::')) {
    const [file, ...rest] = id.split('::');
    const module = file!.replace(/\.py$/, '').replace(/\//g, '.');
    const name = rest.pop()!;
    return `${[module, ...rest].join('.')}::${name}`;
  }
  const django = /^(\S+) \((.+)\)$/.exec(id);
  if (django) return `${django[2]}::${django[1]}`;
  const dot = id.lastIndexOf('.');
  return dot > 0 ? `${id.slice(0, dot)}::${id.slice(dot + 1)}` : `::${id}`;
}

/** The status of each named test in a JUnit report (`missing` when the report has no such test). */
export function statusesOf(ids: string[], cases: TestCase[]): Record<string, TestStatus> {
  const byKey = new Map<string, TestStatus>();
  for (const c of cases) byKey.set(`${c.classname}::${c.name}`, worse(byKey.get(`${c.classname}::${c.name}`), c.status));
  return Object.fromEntries(ids.map((id) => [id, byKey.get(junitKey(id)) ?? 'missing']));
}

/** A test reported twice (e.g. a failing teardown) takes its worse outcome. */
function worse(a: TestStatus | undefined, b: TestStatus): TestStatus {
  const rank: TestStatus[] = ['passed', 'xfail', 'skipped', 'failed', 'error'];
  return a === undefined || rank.indexOf(b) > rank.indexOf(a) ? b : a;
}
