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
  // The harness's re.findall(r"diff --git a/.* b/(.*)", test_patch), unanchored as it is: a
  // header quoted inside a patched file's content counts too. `[^\n]` is Python's `.`
  // (JavaScript's also stops at \r, U+2028 and U+2029).
  const files = [...testPatch.matchAll(/diff --git a\/[^\n]* b\/([^\n]*)/g)].map((m) => m[1]!);
  const tests = files.filter((f) => !NON_TEST_EXTS.some((ext) => f.endsWith(ext)));
  if (repo !== 'django/django') return tests;
  return tests.map((f) => f.replace(/\.py$/, '').replace(/^tests\//, '').replaceAll('/', '.'));
}

/** How an instance's tests run: the test command, and in SWE-bench's images the steps before the test patch and the network they need. */
export interface HarnessEval {
  test_command: string;
  prepare?: string[];
  network?: 'none' | 'bridge';
}

/** Entering SWE-bench's conda environment `testbed`, as every step of its eval script does. */
export const CONDA_ACTIVATE = ['source /opt/miniconda3/bin/activate', 'conda activate testbed'];

/**
 * The harness's evaluation for one instance (make_eval_script_list): inside SWE-bench's
 * images the conda environment, the version's eval_commands and the install again run as
 * `prepare` — before the test files are reset and the test patch applied, as in the
 * harness — with the network its evaluation container has when there is a reinstall; the
 * test command on the directives runs between the markers. Outside those images the test
 * command runs as it is.
 */
export function harnessEval(test: TestSpec, directives: string[], conda: boolean): HarnessEval {
  const test_command = [test.spec.test_cmd, ...directives].join(' ');
  if (!conda) return { test_command };
  const prepare = [...CONDA_ACTIVATE, ...test.spec.eval_commands, ...(test.spec.install ? [test.spec.install] : [])];
  return { test_command, prepare, ...(test.spec.install ? { network: 'bridge' as const } : {}) };
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
