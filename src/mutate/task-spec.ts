import { isAbsolute, relative, resolve } from 'node:path';
import type { AgentSpec } from '../agent/index.js';
import type { TaskSpec } from '../task/index.js';
import type { Candidate } from './candidates.js';
import type { MutationSource } from './source.js';

/** A mutant that tests catch, with what the full suite said about it. */
export interface Mutant {
  candidate: Candidate;
  id: string;
  failToPass: string[];
  passToPass: string[];
}

const MAX_LISTED = 20;

/** A source task's script fixes its own bug, not a mutant's: mutant tasks get one that only submits (run them with --model-url). */
export const PLACEHOLDER_AGENT: AgentSpec = { type: 'scripted', actions: [{ tool: 'submit' }] };

/** What the agent is told: the tests that fail, never where or what the change was. */
export function renderInstruction(failing: string[]): string {
  const listed = failing.slice(0, MAX_LISTED).map((t) => `  - ${t}`);
  if (failing.length > MAX_LISTED) listed.push(`  - … and ${failing.length - MAX_LISTED} more`);
  return [
    `Some tests of this repository fail:`,
    '',
    ...listed,
    '',
    'Find the cause in the source code and fix it so that these tests pass, without breaking',
    'the tests that pass now. Do not change the tests.',
    '',
  ].join('\n');
}

/** A path of the source task, relative to the folder the new task file is written to. */
function rebase(path: string, sourceDir: string, taskDir: string): string {
  return isAbsolute(path) ? path : relative(taskDir, resolve(sourceDir, path)) || '.';
}

function rebaseImage(image: TaskSpec['image'], sourceDir: string, taskDir: string): TaskSpec['image'] {
  if (typeof image === 'string' || !('dockerfile' in image)) return image;
  return { dockerfile: rebase(image.dockerfile, sourceDir, taskDir), ...(image.context !== undefined ? { context: rebase(image.context, sourceDir, taskDir) } : {}) };
}

/**
 * The task file of one mutant: the source task's image, environment, limits and agent;
 * the repository at the mutant's own parentless commit; the tests that now fail as
 * FAIL_TO_PASS; the inverse diff as the gold patch; where and what the mutation was as metadata.
 */
export function mutantTaskSpec(
  source: MutationSource,
  mutant: Mutant,
  repo: { path: string; commit: string },
  goldPatch: string,
  context: { seed: number; taskDir: string; sourceCommit: string; agent?: AgentSpec },
): Record<string, unknown> {
  const spec = source.task.spec;
  const c = mutant.candidate;
  const environment = spec.environment && 'dockerfile' in spec.environment
    ? { dockerfile: rebase(spec.environment.dockerfile, source.task.dir, context.taskDir), ...(spec.environment.context !== undefined ? { context: rebase(spec.environment.context, source.task.dir, context.taskDir) } : {}) }
    : spec.environment;
  const files = spec.files.map((f) => ('from' in f ? { ...f, from: rebase(f.from, source.task.dir, context.taskDir) } : f));
  return {
    id: mutant.id,
    instruction: renderInstruction(mutant.failToPass),
    image: rebaseImage(spec.image, source.task.dir, context.taskDir),
    workdir: spec.workdir,
    ...(files.length ? { files } : {}),
    ...(spec.setup.length ? { setup: spec.setup } : {}),
    repo: { path: repo.path, commit: repo.commit, ...(spec.repo?.root ? { root: spec.repo.root } : {}) },
    ...(environment ? { environment } : {}),
    eval: {
      test_command: source.testCommand,
      fail_to_pass: mutant.failToPass,
      pass_to_pass: mutant.passToPass,
      ...(source.junitPath ? { junit_path: source.junitPath } : {}),
      timeout_s: source.timeoutS,
    },
    gold_patch: goldPatch,
    agent: context.agent ?? (spec.agent.type === 'scripted' ? PLACEHOLDER_AGENT : spec.agent),
    limits: spec.limits,
    ...(Object.keys(spec.env).length ? { env: spec.env } : {}),
    seed: spec.seed,
    metadata: {
      ...spec.metadata,
      task_type: 'mutate-fix',
      mutation: {
        kind: c.kind, op: c.op, file: c.file, function: c.function, line: c.line,
        description: c.description, seed: context.seed, source_task: spec.id, source_commit: context.sourceCommit,
      },
    },
    patch_exclude: spec.patch_exclude,
  };
}
