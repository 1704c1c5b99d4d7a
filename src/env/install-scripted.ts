import { silentLogger, type Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { countStatuses, runSuite, type SuiteRun } from './test-runs.js';
import { debianPackageFor } from './debian.js';
import { diagnoseLog } from './diagnose.js';
import type { RepoFacts } from './facts.js';
import { buildEnvImage, EnvBuildFailure, type EnvImage } from './image.js';
import { planInstall, wantedNames, type InstallPlan } from './plan.js';
import type { Resolver } from './resolver.js';
import type { RepoSource } from './source.js';
import { versionOfTag } from './source.js';
import type { EnvFailureCode } from './record.js';

export interface ScriptedOptions {
  provider: SandboxProvider;
  resolver: Resolver;
  dir: string;
  runId: string;
  pipIndex?: string;
  /** Without pipIndex: try PyPI (default true). */
  pypi?: boolean;
  testTimeoutS: number;
  maxRounds: number;
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
}

export const PYPI = 'https://pypi.org/simple';

/** Where the scripted installer got to: its last plan, image and first test run, or why it stopped. */
export interface ScriptedResult {
  plan: InstallPlan | null;
  image: EnvImage | null;
  firstRun: SuiteRun | null;
  rounds: number;
  failure: { code: EnvFailureCode; message: string } | null;
  notes: string[];
  buildMs: number;
  testsMs: number;
}

/**
 * The scripted installer, no model: plan from the repository's own configuration, build,
 * run the tests once, and go round again on what the run says is missing — a module that
 * would not import, a fixture only a plugin has, an option pytest does not know, an
 * editable install that does not build — up to `maxRounds` builds.
 */
export async function installScripted(source: RepoSource, facts: RepoFacts, options: ScriptedOptions): Promise<ScriptedResult> {
  const log = options.log ?? silentLogger;
  const notes: string[] = [];
  const extra: string[] = [];
  const drop: string[] = [];
  let install: 'editable' | 'develop' = 'editable';
  let continueOnCollectionErrors = false;
  let plan: InstallPlan | null = null;
  let image: EnvImage | null = null;
  let firstRun: SuiteRun | null = null;
  let buildMs = 0;
  let testsMs = 0;
  let round = 0;
  // No index named: PyPI where the sandbox reaches it (asked once, briefly), else Debian alone.
  const index = options.pipIndex ?? (options.pypi === false ? undefined : PYPI);
  let indexAnswers = true;
  while (round < options.maxRounds) {
    round += 1;
    const wanted = wantedNames(facts, extra);
    const debian = await options.resolver.debianVersions(wanted.packages);
    const names = index && indexAnswers ? await options.resolver.indexNames(index, wanted.distributions, options.pipIndex ? 20 : 5) : null;
    if (index && indexAnswers && names === null) {
      indexAnswers = false;
      notes.push(`the pip index ${index} did not answer from the sandbox: Debian's packages only`);
    }
    plan = planInstall(facts, { debian, index: names && index ? { url: index, names } : null }, { install, extra, dropOptions: drop, continueOnCollectionErrors, version: versionOfTag(source.describe) });
    log.info({ repo: source.name, round, apt: plan.recipe.apt.length, pip: plan.recipe.pip?.requirements.length ?? 0, install: plan.recipe.install.mode }, 'scripted installer: building');
    const started = Date.now();
    try {
      image = await buildEnvImage(options.provider, source, plan.recipe, options.dir, { repository: options.repository, log, signal: options.signal });
    } catch (error) {
      buildMs += Date.now() - started;
      if (!(error instanceof EnvBuildFailure)) throw error;
      if (error.stage === 'install' && plan.recipe.install.mode === 'editable') {
        notes.push(`round ${round}: the editable install did not build; installing the project without building it`);
        install = 'develop';
        continue;
      }
      return { plan, image: null, firstRun: null, rounds: round, failure: { code: 'ENV_BUILD_FAILED', message: error.message.slice(0, 4000) }, notes, buildMs, testsMs };
    }
    buildMs += Date.now() - started;
    const testStarted = Date.now();
    firstRun = await runSuite(options.provider, image.image.ref, plan.recipe.test, { runId: options.runId, taskId: `${source.key}-tests`, timeoutS: options.testTimeoutS, signal: options.signal });
    testsMs += Date.now() - testStarted;
    if (firstRun.timedOut) break;
    const diagnosis = diagnoseLog(firstRun.log, facts.packages);
    const counts = countStatuses(firstRun.map);
    if (diagnosis.modules.some((m) => facts.packages.includes(m)) && install === 'editable' && plan.recipe.install.mode === 'editable') {
      notes.push(`round ${round}: the project itself did not import after an editable install; installing it without building`);
      install = 'develop';
      continue;
    }
    const fresh = diagnosis.distributions.filter((d) => !extra.includes(d) && !plan!.resolutions.some((r) => r.name === d && r.from !== 'missing'));
    const unknownOptions = diagnosis.options.filter((o) => !drop.includes(o));
    if (round >= options.maxRounds) break;
    if (fresh.length === 0 && unknownOptions.length === 0) {
      // Nothing left to install, yet some test files stopped the run: run the others.
      if (!diagnosis.collectionInterrupted || continueOnCollectionErrors) break;
      continueOnCollectionErrors = true;
      notes.push(`round ${round}: some test files do not collect; running the tests that do (--continue-on-collection-errors)`);
      continue;
    }
    // A round costs a build and a run: take it when the run is broken, or when the missing names exist somewhere.
    const availableNow = await options.resolver.debianVersions(wantedNames(facts, [...extra, ...fresh]).packages);
    const findable = fresh.filter((d) => availableNow[debianPackageFor(d)] != null);
    if (findable.length === 0 && unknownOptions.length === 0) {
      notes.push(`the tests also want ${fresh.join(', ')}, found neither on the index nor in Debian`);
      // Some test files cannot collect for good: the others still make an environment.
      if (diagnosis.collectionInterrupted && !continueOnCollectionErrors && round < options.maxRounds) {
        continueOnCollectionErrors = true;
        extra.push(...fresh);
        notes.push(`round ${round}: running the tests that collect (--continue-on-collection-errors)`);
        continue;
      }
      break;
    }
    extra.push(...fresh);
    drop.push(...unknownOptions);
    notes.push(`round ${round}: ${counts.PASSED} passed; the run asks for ${[...fresh, ...unknownOptions.map((o) => `no ${o}`)].join(', ')}`);
  }
  return { plan, image, firstRun, rounds: round, failure: null, notes, buildMs, testsMs };
}
