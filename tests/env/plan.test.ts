import { describe, expect, it } from 'vitest';
import { diagnoseLog, parseAptPolicy, planAddopts, planInstall, selectRequirements, upstreamVersion, type RepoFacts } from '../../src/env/index.js';

function facts(overrides: Partial<RepoFacts> = {}): RepoFacts {
  return {
    python: '3.11.2', name: 'humanize', version: null, requires_python: '>=3.10', build_backend: 'hatchling.build', build_requires: ['hatch-vcs', 'hatchling>=1.27'],
    requirements: [], pytest: null, test_commands: [], package_dir: null, source_root: 'src', packages: ['humanize'], compiled: [], scripts: {}, version_files: [],
    test_files: 6, unittest_files: 0, test_dirs: ['tests'], conftest: false, files: [], problems: [], setup_py_parses: true, license_expression: false, ...overrides,
  };
}

// Facts as probe.py reads python-humanize/humanize at c3a124c (its pyproject.toml and tox.ini).
const humanize = facts({
  requirements: [
    { source: 'pyproject.toml [project.optional-dependencies] tests', kind: 'extra:tests', items: ['freezegun', 'pytest>=9', 'pytest-benchmark', 'pytest-codspeed', 'pytest-cov'] },
    { source: 'requirements-mypy.txt', kind: 'other', items: ['mypy==2.1.0', 'pytest'] },
  ],
  pytest: { source: 'tox.ini [pytest]', addopts: ['--color=yes', '--doctest-modules'], testpaths: [], required_plugins: [], asyncio_mode: null, minversion: null },
  version_files: ['src/humanize/_version.py'],
});

const debian = {
  'python3-pytest': '7.2.1-2', 'python3-freezegun': '1.2.1+actually1.2.1-1', 'python3-pytest-benchmark': '4.0.0-1', 'python3-pip': '23.0.1+dfsg-1',
  'python3-hatchling': '1.12.2-1', 'python3-hatch-vcs': '0.3.0-1', 'python3-setuptools': '66.1.1-1',
};

describe('selectRequirements()', () => {
  it('takes runtime and test extras, leaves out linters, coverage and what does not match this Python', () => {
    const selection = selectRequirements(facts({
      requirements: [
        { source: 'setup.cfg [options] install_requires', kind: 'runtime', items: ['six >= 1.6'] },
        { source: 'requirements-dev.txt', kind: 'test', items: ["pytest >= 3.0; python_version != '3.3'", 'pytest-cov >= 2.0.0', "mock ; python_version < '3.0'", 'hypothesis >= 3.30', 'ruff'] },
        { source: 'pyproject.toml [dependency-groups] docs', kind: 'group:docs', items: ['sphinx'] },
        { source: '.github/workflows/ci.yml pip install', kind: 'ci', items: ['tox', 'pytest-timeout'] },
      ],
    }));
    expect(selection.requirements.map((r) => r.name)).toEqual(['six', 'pytest', 'pytest-cov', 'hypothesis', 'pytest-timeout']);
    expect(selection.skipped.map((s) => s.name)).toEqual(['mock', 'ruff']);
  });

  it('takes a dev group only when no test group exists', () => {
    const dev = { source: 'pyproject.toml [dependency-groups] dev', kind: 'group:dev', items: ['pytest', 'attrs'] };
    expect(selectRequirements(facts({ requirements: [dev] })).requirements.map((r) => r.name)).toEqual(['pytest', 'attrs']);
    const tests = { source: 'pyproject.toml [dependency-groups] tests', kind: 'group:tests', items: ['pytest'] };
    expect(selectRequirements(facts({ requirements: [dev, tests] })).requirements.map((r) => r.name)).toEqual(['pytest']);
  });
});

describe('planInstall()', () => {
  it('takes what Debian has, pinned, records what nobody has, and skips an editable install Debian cannot build', () => {
    const plan = planInstall(humanize, { debian, index: null }, { version: '4.12.3' });
    expect(plan.recipe.apt).toEqual(['python3-freezegun=1.2.1+actually1.2.1-1', 'python3-pytest-benchmark=4.0.0-1', 'python3-pytest=7.2.1-2']);
    expect(plan.recipe.pip).toBeNull();
    expect(plan.skipped.map((s) => s.name)).toEqual(['pytest-codspeed']);
    expect(plan.recipe.install.mode).toBe('develop');
    expect(plan.developWhy).toBe('build requirement hatchling>=1.27: Debian has python3-hatchling 1.12.2-1');
    expect(plan.recipe.install.commands[0]).toContain('"version":"4.12.3"');
    expect(plan.recipe.test).toEqual({
      command: 'python3 -m pytest -p no:cacheprovider -p no:randomly -rA --tb=short --color=no -o addopts=--doctest-modules tests',
      select: 'python3 -m pytest -p no:cacheprovider -p no:randomly -rA --tb=short --color=no -o addopts=--doctest-modules {files}',
      parser: 'pytest',
    });
  });

  it('takes what the index serves from the index and installs editable when Debian has a new enough backend', () => {
    const plan = planInstall(facts({ build_backend: 'setuptools.build_meta', build_requires: ['setuptools>=61'], requirements: [{ source: 'pyproject.toml [project] dependencies', kind: 'runtime', items: ['six>=1.6'] }] }), {
      debian, index: { url: 'http://172.17.0.1:8080/simple', names: { six: true, pytest: false } },
    });
    expect(plan.recipe.pip).toEqual({ index: 'http://172.17.0.1:8080/simple', requirements: ['six>=1.6'] });
    expect(plan.recipe.apt).toEqual(['python3-pip=23.0.1+dfsg-1', 'python3-pytest=7.2.1-2', 'python3-setuptools=66.1.1-1']);
    expect(plan.recipe.install).toEqual({ mode: 'editable', commands: ['python3 -m pip install --no-build-isolation --no-deps --break-system-packages --disable-pip-version-check -e .'] });
  });

  it('installs without building once the editable install is known not to build', () => {
    const plan = planInstall(facts({ build_backend: 'setuptools.build_meta', build_requires: ['setuptools'] }), { debian, index: null }, { install: 'develop' });
    expect(plan.recipe.install.mode).toBe('develop');
    expect(plan.developWhy).toBe('the editable install did not build');
    // The build tools stay, so the dependency layer is the one the editable try built (no second apt-get).
    expect(plan.recipe.apt).toEqual(['python3-pip=23.0.1+dfsg-1', 'python3-pytest=7.2.1-2', 'python3-setuptools=66.1.1-1']);
  });

  it('does not try an editable install of a project with a PEP 639 license expression (Debian\'s backends refuse it)', () => {
    const plan = planInstall(facts({ build_backend: 'setuptools.build_meta', build_requires: ['setuptools'], license_expression: true }), { debian, index: null });
    expect(plan.recipe.install.mode).toBe('develop');
    expect(plan.developWhy).toContain('PEP 639');
  });
});

describe('planAddopts()', () => {
  it('always drops coverage, parallel and colour options, and a plugin\'s options when it cannot be had', () => {
    expect(planAddopts(['--cov', 'pkg', '-n', 'auto', '--timeout=30', '-m', 'not stress', '--color=yes'], (p) => p !== 'pytest-timeout')).toEqual({ plugins: [], addopts: ['-m', 'not stress'] });
    expect(planAddopts(['--benchmark-disable', '-ra'], () => true)).toEqual({ plugins: ['pytest-benchmark'], addopts: null });
  });
});

describe('parseAptPolicy()', () => {
  it('reads each package\'s candidate, null when the mirror has none or apt does not know it', () => {
    const output = 'python3-pytest:\n  Installed: (none)\n  Candidate: 7.2.1-2\n  Version table:\n     7.2.1-2 500\npython3-gone:\n  Installed: (none)\n  Candidate: (none)\n';
    expect(parseAptPolicy(output, ['python3-pytest', 'python3-gone', 'python3-unknown'])).toEqual({ 'python3-pytest': '7.2.1-2', 'python3-gone': null, 'python3-unknown': null });
    expect(upstreamVersion('1:2.3.4-1+b1')).toBe('2.3.4');
    expect(upstreamVersion('1.2.1+actually1.2.1-1')).toBe('1.2.1');
  });
});

describe('diagnoseLog()', () => {
  it('names the distributions behind failed imports and missing fixtures, and unknown options', () => {
    const log = [
      "E   ModuleNotFoundError: No module named 'yaml'",
      "E   ModuleNotFoundError: No module named 'humanize'",
      '/usr/bin/python3: No module named pytest',
      "E       fixture 'benchmark' not found",
      'pytest: error: unrecognized arguments: --codspeed',
      'INTERNALERROR> pytest.PytestUnknownMarkWarning: Unknown pytest.mark.no_cover - is this a typo?',
    ].join('\n');
    expect(diagnoseLog(log, ['humanize'])).toEqual({
      modules: ['yaml', 'humanize', 'pytest'], distributions: ['pyyaml', 'pytest', 'pytest-benchmark', 'pytest-cov'], options: ['--codspeed'], network: false, collectionInterrupted: false,
    });
    // pyparsing/pyparsing at efd56db: its diagram tests import railroad (railroad-diagrams, not in Debian) and stop the run.
    const pyparsing = "E   ModuleNotFoundError: No module named 'railroad'\n!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!";
    expect(diagnoseLog(pyparsing)).toMatchObject({ distributions: ['railroad-diagrams'], collectionInterrupted: true });
  });
});
