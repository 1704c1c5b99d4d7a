import type { RepoFacts } from './facts.js';
import { evaluateMarker, markerEnvironment, normaliseName, parseRequirement, type Requirement } from './requirements.js';

/** Extras and dependency groups that hold what the tests need. */
const TEST_GROUP = /^(tests?|testing|test-?requirements|pytest|check|ci|unit|unittests?)$/;
const DEV_GROUP = /^(dev|devel|develop|development|all|full)$/;

/**
 * Tools that lint, type-check, document, package or orchestrate: never needed to run the
 * tests, often absent from Debian, and pulling them in only slows a build. (Coverage stays:
 * pytest-cov registers markers such as `no_cover` that a suite may use; its options are
 * dropped from the run instead, pytest-options.ts.)
 */
const NOT_FOR_TESTS = /^(ruff|flake8.*|pylint|pyflakes|pycodestyle|mypy|mypy-extensions|pyright|black|isort|autopep8|yapf|pre-commit.*|tox.*|nox|sphinx.*|myst-.*|furo|mkdocs.*|docutils|twine|build|wheel|pip|pip-tools|setuptools|flit|flit-core|hatch|hatchling|hatch-vcs|poetry.*|pdm.*|codecov|coveralls|bump2?version|towncrier|types-.*|.*-stubs|pytest-codspeed|pytest-xdist|pytest-randomly|pytest-sugar|check-manifest|readme-renderer|cibuildwheel|virtualenv|uv|tox-uv|pre-commit-uv|ipython|ipdb|pdbpp|jupyter.*|notebook)$/;

export interface SelectedRequirement extends Requirement {
  /** Where it was named (first source). */
  source: string;
}

export interface Selection {
  requirements: SelectedRequirement[];
  /** Names left out, and why (a linter, a marker that does not hold here, the project itself). */
  skipped: { name: string; source: string; why: string }[];
}

/**
 * What to install for the tests to run: the runtime dependencies, the test extras and
 * groups (the `dev` ones only when there is no test-specific one), the test
 * requirements files, tox's and nox's test dependencies; markers evaluated for this
 * Python on Linux; tools that only lint, document or package left out.
 */
export function selectRequirements(facts: RepoFacts): Selection {
  const kinds = facts.requirements.map((r) => r.kind);
  const hasTestGroup = kinds.some((k) => TEST_GROUP.test(k.replace(/^(extra|group):/, '')) || k === 'test');
  const wanted = (kind: string): boolean => {
    if (kind === 'runtime' || kind === 'test') return true;
    const m = /^(extra|group):(.*)$/.exec(kind);
    if (m) return TEST_GROUP.test(normaliseName(m[2]!)) || (!hasTestGroup && DEV_GROUP.test(normaliseName(m[2]!)));
    return false;
  };
  const extras = facts.requirements.filter((r) => r.kind.startsWith('extra:') && wanted(r.kind)).map((r) => normaliseName(r.kind.slice(6)));
  const env = markerEnvironment(facts.python, extras);
  const own = facts.name ? normaliseName(facts.name) : null;
  const chosen = new Map<string, SelectedRequirement>();
  const skipped: Selection['skipped'] = [];
  for (const list of facts.requirements) {
    // CI workflow installs name tools more than libraries: only pytest and its plugins are taken from them.
    const ci = list.kind === 'ci';
    if (!ci && !wanted(list.kind)) continue;
    for (const item of list.items) {
      const requirement = parseRequirement(item);
      if (!requirement || chosen.has(requirement.name)) continue;
      if (ci && !/^pytest(-.*)?$/.test(requirement.name)) continue;
      const why = requirement.name === own ? 'the project itself'
        : NOT_FOR_TESTS.test(requirement.name) ? 'a tool the tests do not need'
          : !evaluateMarker(requirement.marker, env) ? `its marker does not hold here (${requirement.marker})` : null;
      if (why) {
        if (!skipped.some((s) => s.name === requirement.name)) skipped.push({ name: requirement.name, source: list.source, why });
        continue;
      }
      chosen.set(requirement.name, { ...requirement, source: list.source });
    }
  }
  return { requirements: [...chosen.values()], skipped };
}
