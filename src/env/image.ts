import type { PreparedImage, SandboxProvider } from '../sandbox/index.js';
import { ForagerError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { hashTask, TaskSpecSchema, type LoadedTask } from '../task/index.js';
import { dependencyCommands, installCommands, REPO_ROOT, type Recipe } from './recipe.js';
import type { RepoSource } from './source.js';

export interface EnvImage {
  /** Base, dependencies and the repository (scrubbed, with its history up to the commit). */
  dependencies: PreparedImage;
  /** …and the project installed: what the tests run in, what mined tasks start from. */
  image: PreparedImage;
}

/** A repository task held in memory: the provider's image layers are built from it. */
export function envTask(id: string, dir: string, spec: Record<string, unknown>): LoadedTask {
  const parsed = TaskSpecSchema.parse({ id, instruction: 'environment', workdir: REPO_ROOT, agent: { type: 'scripted', actions: [{ tool: 'submit' }] }, ...spec });
  return { spec: parsed, source: dir, dir, hash: hashTask(parsed, []), files: [] };
}

/**
 * Build a recipe's image through the provider's layers, each tagged by content and built
 * once: the base recipe → the dependency layer → the repository at its commit → the
 * project's install (an environment layer over the image holding the repository, then
 * the in-image scrub). A layer that fails to build throws the provider's build error.
 */
export async function buildEnvImage(provider: SandboxProvider, source: RepoSource, recipe: Recipe, dir: string, options: BuildOptions): Promise<EnvImage> {
  const dependencies = await buildStage('dependencies', () => provider.prepareImage(envTask(`${source.key}-deps`, dir, {
    image: recipe.base,
    repo: { url: source.gitDir, commit: source.commit, root: REPO_ROOT },
    environment: { commands: dependencyCommands(recipe) },
  }), options));
  const image = await buildStage('install', () => provider.prepareImage(envTask(`${source.key}-env`, dir, {
    image: { ref: dependencies.ref },
    repo: { in_image: true, commit: source.commit, root: REPO_ROOT },
    environment: { commands: installCommands(recipe) },
  }), options));
  return { dependencies, image };
}

export interface BuildOptions {
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
}

/** Which part of an environment's build failed: its dependencies or the project's install. */
export class EnvBuildFailure extends Error {
  constructor(readonly stage: 'dependencies' | 'install', readonly error: unknown) {
    super(`${stage}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function buildStage(stage: 'dependencies' | 'install', build: () => Promise<PreparedImage>): Promise<PreparedImage> {
  try {
    return await build();
  } catch (error) {
    // A failed build is the recipe's (a task error); the engine failing under it stays what it is.
    if (error instanceof ForagerError && error.kind === 'task') throw new EnvBuildFailure(stage, error);
    throw error;
  }
}
