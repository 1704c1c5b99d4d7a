import { shellQuote } from '../core/quote.js';
import { debianPackageFor } from './debian.js';
import { editableInstall } from './backends.js';
import type { RepoFacts } from './facts.js';
import { planAddopts } from './pytest-options.js';
import { developCommand, type Recipe } from './recipe.js';
import { normaliseName } from './requirements.js';
import { selectRequirements } from './select.js';

/** What the installer knows of where packages come from. */
export interface Availability {
  /** Debian package → candidate version (null: not on the mirror). */
  debian: Record<string, string | null>;
  /** The pip index and the names it serves; null when none is named or it does not answer. */
  index: { url: string; names: Record<string, boolean> } | null;
}

/** Where each wanted distribution comes from. */
export interface Resolution {
  name: string;
  /** Why it is wanted (the file and section that names it). */
  source: string;
  from: 'index' | 'debian' | 'missing';
  /** The Debian package, when from Debian (or tried there). */
  package?: string;
}

export interface InstallPlan {
  recipe: Recipe;
  resolutions: Resolution[];
  skipped: { name: string; source: string; why: string }[];
  /** Why the project is installed without building it, when it is. */
  developWhy: string | null;
}

export interface PlanOptions {
  /** Force the project install mode (after an editable install failed to build). */
  install?: 'editable' | 'develop';
  /** Distributions the tests turned out to need (a failed import, a missing fixture). */
  extra?: string[];
  /** pytest options to drop (the run said it does not know them). */
  dropOptions?: string[];
  /** Run the tests that collect when some test files do not (their dependency is nowhere to be had). */
  continueOnCollectionErrors?: boolean;
  /** The project's version when its configuration does not say (a tag). */
  version?: string | null;
  base?: string;
}

/** The names a plan asks Debian or the index about: wanted distributions, test plugins, build tools. */
export function wantedNames(facts: RepoFacts, extra: string[] = []): { distributions: string[]; packages: string[] } {
  const selection = selectRequirements(facts);
  const plugins = planAddopts(facts.pytest?.addopts ?? [], () => true).plugins;
  const distributions = [...new Set(['pytest', ...selection.requirements.map((r) => r.name), ...plugins, ...(facts.pytest?.required_plugins ?? []).map(normaliseName), ...extra.map(normaliseName)])];
  const build = facts.build_requires.map((r) => /^[A-Za-z0-9._-]+/.exec(r.trim())?.[0]).filter((n): n is string => !!n).map(debianPackageFor);
  const packages = [...new Set([...distributions.map(debianPackageFor), 'python3-pip', 'python3-setuptools', 'flit', 'python3-hatchling', 'python3-poetry-core', 'python3-pdm-backend', ...build])];
  return { distributions, packages };
}

/**
 * The scripted installer's recipe, pure: every wanted distribution from the index when it
 * serves it, else from Debian (pinned to the mirror's version), else recorded missing; the
 * project installed editable when Debian's build tools can build it, else put on sys.path
 * as it is (develop.py); pytest with the repository's options minus what cannot run here.
 */
export function planInstall(facts: RepoFacts, availability: Availability, options: PlanOptions = {}): InstallPlan {
  const selection = selectRequirements(facts);
  const debianVersion = (pkg: string): string | null => availability.debian[pkg] ?? null;
  const fromIndex = (name: string): boolean => availability.index?.names[name] === true;
  const reachable = (name: string): boolean => fromIndex(name) || debianVersion(debianPackageFor(name)) !== null;
  const addopts = planAddopts((facts.pytest?.addopts ?? []).filter((o) => !(options.dropOptions ?? []).some((d) => o === d || o.startsWith(`${d}=`))), reachable);
  const wanted = new Map<string, string>();
  wanted.set('pytest', 'the test runner');
  for (const r of selection.requirements) if (!wanted.has(r.name)) wanted.set(r.name, r.source);
  for (const p of addopts.plugins) if (!wanted.has(p)) wanted.set(p, `${facts.pytest?.source ?? 'addopts'} addopts`);
  for (const p of facts.pytest?.required_plugins ?? []) if (!wanted.has(normaliseName(p))) wanted.set(normaliseName(p), `${facts.pytest?.source} required_plugins`);
  for (const e of options.extra ?? []) if (!wanted.has(normaliseName(e))) wanted.set(normaliseName(e), 'the test run (a failed import or a missing fixture)');

  const resolutions: Resolution[] = [];
  const apt = new Set<string>();
  const pip: string[] = [];
  for (const [name, source] of wanted) {
    const pkg = debianPackageFor(name);
    if (fromIndex(name)) {
      resolutions.push({ name, source, from: 'index' });
      const requirement = selection.requirements.find((r) => r.name === name);
      pip.push(requirement ? `${requirement.name}${requirement.extras.length ? `[${requirement.extras.join(',')}]` : ''}${requirement.specifier}` : name);
    } else if (debianVersion(pkg) !== null) {
      resolutions.push({ name, source, from: 'debian', package: pkg });
      apt.add(`${pkg}=${debianVersion(pkg)}`);
    } else {
      resolutions.push({ name, source, from: 'missing', package: pkg });
    }
  }

  const editable = facts.license_expression
    ? { possible: false, packages: [], why: 'a PEP 639 license expression needs a newer build backend than Debian\'s' }
    : editableInstall(facts.build_backend, facts.build_requires, debianVersion, debianPackageFor);
  const useEditable = (options.install ?? 'editable') === 'editable' && editable.possible && facts.compiled.length === 0 && debianVersion('python3-pip') !== null;
  // After an editable install failed, the build tools stay: the dependency layer is then the one already built.
  const buildTools = useEditable || (options.install === 'develop' && editable.possible && debianVersion('python3-pip') !== null);
  if (buildTools || pip.length > 0) apt.add(`python3-pip=${debianVersion('python3-pip')}`);
  if (buildTools) for (const pkg of editable.packages) apt.add(`${pkg}=${debianVersion(pkg)}`);
  const name = facts.name ?? 'project';
  const install = useEditable
    ? { mode: 'editable' as const, commands: ['python3 -m pip install --no-build-isolation --no-deps --break-system-packages --disable-pip-version-check -e .'] }
    : {
      mode: 'develop' as const,
      commands: [developCommand({
        name, version: facts.version ?? options.version ?? '0.0.0', source_root: facts.source_root, packages: facts.packages, scripts: facts.scripts, version_files: facts.version_files,
      })],
    };
  const developWhy = useEditable ? null
    : options.install === 'develop' ? 'the editable install did not build'
      : facts.compiled.length > 0 ? `compiled parts (${facts.compiled[0]}): installed from source as it is`
        : editable.why ?? 'pip is not available';
  return {
    recipe: {
      format: 'forager-env-recipe', version: 1, installer: 'scripted', base: options.base ?? 'base',
      apt: [...apt].sort(),
      pip: pip.length > 0 && availability.index ? { index: availability.index.url, requirements: pip.sort() } : null,
      install,
      test: { command: testCommand(facts, addopts.addopts, undefined, options.continueOnCollectionErrors), select: testCommand(facts, addopts.addopts, '{files}', options.continueOnCollectionErrors), parser: 'pytest' },
    },
    resolutions,
    skipped: selection.skipped,
    developWhy,
  };
}

/** Folders that hold benchmarks, docs or examples, not the test suite. */
const NOT_TEST_DIRS = /^(bench(mark)?s?|docs?|examples?|scripts|tools|profiler|fuzzer)$/;

/**
 * How the tests run: pytest (it runs unittest and doctest suites too) with every result
 * in the short summary (`-rA`, what the harness's pytest parser reads), no cache, no
 * random order; the repository's own test paths, else the folders holding its tests.
 */
export function testCommand(facts: RepoFacts, addopts: string[] | null, files?: string, continueOnCollectionErrors = false): string {
  const words = ['python3', '-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'no:randomly', '-rA', '--tb=short', '--color=no'];
  if (continueOnCollectionErrors) words.push('--continue-on-collection-errors');
  if (addopts !== null) words.push('-o', `addopts=${addopts.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const paths = facts.pytest?.testpaths.length ? [] : facts.test_dirs.filter((d) => d !== '.' && !NOT_TEST_DIRS.test(d));
  if (files === undefined && !facts.test_dirs.includes('.')) words.push(...paths);
  const command = words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : shellQuote(w))).join(' ');
  return files === undefined ? command : `${command} ${files}`;
}
