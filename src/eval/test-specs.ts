import { HARNESS_SPECS, type VersionSpec } from './harness-specs.js';
import type { ParserName } from './parsers/names.js';

export { HARNESS_SPECS, type VersionSpec } from './harness-specs.js';

/** File endings the harness leaves out of the test files it runs (constants NON_TEST_EXTS). */
export const NON_TEST_EXTS = ['.json', '.png', 'csv', '.txt', '.md', '.jpg', '.jpeg', '.pkl', '.yml', '.yaml', '.toml'];

/** How one instance's tests run: the harness's command (test files appended) and parser, and the steps before it. */
export interface TestSpec {
  repo: string;
  version: string;
  parser: ParserName;
  spec: VersionSpec;
}

/** The harness's spec for `repo` at `version`, or undefined when the harness has none. */
export function harnessSpec(repo: string, version: string | undefined): TestSpec | undefined {
  const entry = HARNESS_SPECS[repo];
  if (!entry || version === undefined) return undefined;
  const spec = entry.groups.find((g) => g.versions.includes(version));
  return spec && { repo, version, parser: entry.parser, spec };
}

/** The versions the harness knows for `repo` (empty when it does not know the repository). */
export function knownVersions(repo: string): string[] {
  return HARNESS_SPECS[repo]?.groups.flatMap((g) => g.versions) ?? [];
}

/** The parser the harness uses for `repo`, whatever the version. */
export function harnessParser(repo: string): ParserName | undefined {
  return HARNESS_SPECS[repo]?.parser;
}

/**
 * What the harness passes to the test command (get_test_directives): the files the test
 * patch adds or changes (its `b/` sides), non-test files left out; for Django, module
 * labels (`tests/a/test_b.py` → `a.test_b`).
 */
export function testDirectives(repo: string, testPatch: string): string[] {
  const files = [...testPatch.matchAll(/^diff --git a\/.* b\/(.*)$/gm)].map((m) => m[1]!);
  const tests = files.filter((f) => !NON_TEST_EXTS.some((ext) => f.endsWith(ext)));
  if (repo !== 'django/django') return tests;
  return tests.map((f) => f.replace(/\.py$/, '').replace(/^tests\//, '').replaceAll('/', '.'));
}

/**
 * The harness's evaluation steps for one instance, as one shell script: inside SWE-bench's
 * images the conda environment `testbed` first; then the version's pre-steps, the
 * install again (its failure does not stop the script, as in the harness's eval.sh), and
 * the test command on the directives. The script's exit status is the test command's.
 */
export function harnessTestCommand(test: TestSpec, directives: string[], conda: boolean): string {
  const steps = conda
    ? ['source /opt/miniconda3/bin/activate', 'conda activate testbed', ...test.spec.eval_commands, ...(test.spec.install ? [test.spec.install] : [])]
    : [];
  return [...steps, [test.spec.test_cmd, ...directives].join(' ')].join('\n');
}

/** SWE-bench 5's per-instance `log_parser` (a harness function name) as a parser name here. */
export function parserFromHarnessName(name: string): ParserName | undefined {
  const table: Record<string, ParserName> = {
    parse_log_pytest: 'pytest',
    parse_log_pytest_options: 'pytest-options',
    parse_log_pytest_v2: 'pytest-v2',
    parse_log_django: 'django',
    parse_log_sympy: 'sympy',
    parse_log_matplotlib: 'matplotlib',
    parse_log_seaborn: 'seaborn',
  };
  const repoAlias = /^parse_log_(astroid|flask|marshmallow|pvlib|pyvista|sqlfluff|xarray)$/.test(name) ? 'pytest'
    : /^parse_log_(pydicom|requests|pylint)$/.test(name) ? 'pytest-options'
      : /^parse_log_(astropy|scikit|sphinx)$/.test(name) ? 'pytest-v2' : undefined;
  return table[name] ?? repoAlias;
}
