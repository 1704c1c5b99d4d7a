import { join, relative } from 'node:path';
import { applyModelOverrides, type ModelOverrides } from '../agent/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { runTask } from '../runner/index.js';
import { BatchRecord, DEFAULT_BACKOFF, imageKeyOf, runAttempt } from '../scheduler/index.js';
import { readTrajectory } from '../trajectory/reader.js';
import type { ModelInstaller, ModelInstallContext } from './build-env.js';
import { envTask } from './image.js';
import { addedFile, patchedPaths } from './patch-files.js';
import { REPO_ROOT, scriptCommand, type Recipe } from './recipe.js';

/** Where the model leaves its work, relative to the repository root (part of the run's patch, nowhere else). */
export const INSTALL_SCRIPT = '.forager/install.sh';
export const TEST_COMMAND_FILE = '.forager/test-command';

export interface ModelInstallerOptions {
  provider: SandboxProvider;
  /** The model flags (`--model-url`, `--model`, `--tool-format`…), over a model agent. */
  overrides: ModelOverrides;
  /** The supply folder: trajectories go to its `trajectories/` as a harvest's do. */
  out: string;
  maxSteps?: number;
  log?: Logger;
}

/** The instruction the model installer works from. */
export function installInstruction(context: ModelInstallContext): string {
  const facts = context.facts;
  const seen = [
    `project ${facts.name ?? '(unnamed)'}${facts.requires_python ? `, requires Python ${facts.requires_python}` : ''}; this sandbox has Python ${facts.python}`,
    facts.files.length ? `configuration files: ${facts.files.slice(0, 20).join(', ')}` : null,
    facts.test_commands.length ? `test commands it names: ${facts.test_commands.slice(0, 5).map((c) => c.command).join(' | ')}` : null,
  ].filter(Boolean);
  return [
    `Make the test suite of the repository at ${REPO_ROOT} run in this container.`,
    '',
    "The container reaches Debian's package mirror (apt-get works) and nothing else on the internet: no PyPI.",
    'Install what the tests need (Debian packages such as python3-pytest and python3-<dependency>), make the project importable',
    '(`pip install -e .` may fail with Debian\'s build tools; a .pth file naming the source folder works), and run the tests.',
    '',
    'When the tests run, write two files and then submit:',
    `- ${REPO_ROOT}/${INSTALL_SCRIPT}: a bash script holding every command that installs what the tests need, run from ${REPO_ROOT}`,
    '  in a fresh container of the same starting image (so it must not rely on anything you did by hand outside it);',
    `- ${REPO_ROOT}/${TEST_COMMAND_FILE}: one line, the command that runs the whole test suite from ${REPO_ROOT} with pytest and -rA`,
    '  (every result in the short summary), e.g. `python3 -m pytest -rA -p no:cacheprovider tests`.',
    'Do not change the repository\'s own files: only those two files are kept. Your script is checked by building it from scratch',
    'and running the test command twice; it counts only if the tests run there.',
    '',
    'What was read of the repository:',
    ...seen.map((s) => `- ${s}`),
    ...(context.scriptedNotes.length ? ['', 'A scripted installer tried first:', ...context.scriptedNotes.slice(-8).map((n) => `- ${n.split('\n')[0]!.slice(0, 300)}`)] : []),
  ].join('\n');
}

/**
 * The model-driven installer: a model agent (any endpoint forager supports) in a sandbox
 * of the repository with the bridge network, given the task "make this test suite run"
 * and asked to leave its install script and test command as files. The run is a harvest
 * attempt (`OUT/trajectories/<key>-install/0.jsonl`, retried and watched like any); what it
 * leaves is turned into a recipe, and the caller verifies it from scratch: the model's
 * word is never taken.
 */
export function createModelInstaller(options: ModelInstallerOptions): ModelInstaller {
  return async (context) => {
    const log = options.log ?? silentLogger;
    const agent = applyModelOverrides({ type: 'scripted', actions: [{ tool: 'submit' }] }, options.overrides);
    const task = envTask(`${context.source.key}-install`, context.dir, {
      instruction: installInstruction(context),
      image: { ref: context.sourceImage },
      repo: { in_image: true, commit: context.source.commit, root: REPO_ROOT },
      agent,
      limits: { network: 'bridge', max_steps: options.maxSteps ?? 60, wall_time_s: 3600, action_timeout_s: 600, memory_mb: 4096, cpus: 2 },
      metadata: { repo: context.source.name, task_type: 'environment-setup' },
    });
    const record = await BatchRecord.open(options.out);
    let path: string | null;
    try {
      const outcome = await runAttempt({ key: `${task.spec.id}/0`, taskId: task.spec.id, attempt: 0, task, imageKey: imageKeyOf(task) }, {
        out: options.out, runId: context.runId, signal: context.signal ?? new AbortController().signal, record, log,
        provider: options.provider, runTask, maxRetries: 2, backoff: DEFAULT_BACKOFF,
        engineWaitMs: 120_000, watchdogMarginMs: 30_000, watchdogGraceMs: 7_000, onEvent: () => undefined,
      });
      path = outcome.path;
    } finally {
      await record.close();
    }
    const trajectory = path ? relative(options.out, path) : join('trajectories', task.spec.id, '0.jsonl');
    if (!path) return { recipe: null, reason: 'the model installer left no trajectory', trajectory };
    const { footer } = await readTrajectory(path);
    const patch = footer?.patch ?? '';
    const script = addedFile(patch, INSTALL_SCRIPT);
    let command = addedFile(patch, TEST_COMMAND_FILE)?.trim().split('\n')[0]?.trim();
    // The pytest parser reads the short summary: a pytest command without -rA would read as no tests.
    if (command && /\bpytest\b/.test(command) && !/(^|\s)-rA(\s|$)/.test(command)) command = `${command} -rA`;
    if (script === null || !command) {
      return { recipe: null, reason: `the model left no ${script === null ? INSTALL_SCRIPT : TEST_COMMAND_FILE} (run ended ${footer?.exit_status ?? 'without a footer'})`, trajectory };
    }
    const others = patchedPaths(patch).filter((p) => !p.startsWith('.forager/'));
    if (others.length) log.info({ files: others }, 'the model changed repository files; they are not part of the recipe');
    const recipe: Recipe = {
      format: 'forager-env-recipe', version: 1, installer: 'model', base: 'base', apt: [], pip: null,
      install: { mode: 'script', commands: [scriptCommand(script)] },
      test: { command, parser: 'pytest', ...(/\bpytest\b/.test(command) ? { select: selectOf(command) } : {}) },
    };
    return { recipe, reason: null, trajectory };
  };
}

/** A pytest command on chosen files: the model's command with its own paths replaced by `{files}`. */
function selectOf(command: string): string {
  const words = command.split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    const previous = words[i - 1] ?? '';
    // Positional words after pytest that look like paths are its test paths.
    if (i > 0 && !word.startsWith('-') && /[/.]|^tests?$/.test(word) && !/^(-p|-o|-m|-k|--tb|-W|--rootdir|-c)$/.test(previous) && words.slice(0, i).some((w) => /pytest/.test(w))) continue;
    kept.push(word);
  }
  return `${kept.join(' ')} {files}`;
}
