import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from '../../core/log.js';
import { shellQuote } from '../../core/quote.js';
import { engine } from '../engine.js';
import type { ImageRequest } from '../../sandbox/contracts.js';
import { repoRoot } from '../../task/repo.js';
import type { EnvironmentSpec, RepoSpec } from '../../task/spec.js';
import { collectContext } from './build-context.js';
import { resolveImage, type ResolvedImage } from './build.js';
import { ensureLayer } from './layer.js';
import { locateRepo } from './repo-source.js';
import { checkoutScrubbed, scrubScript } from './repo-scrub.js';

export interface ImageLayer {
  kind: 'image' | 'environment' | 'task';
  ref: string;
  id: string;
  built: boolean;
}

/** A task's image, with the layers it was made of and where its repository is. */
export interface TaskImage extends ResolvedImage {
  layers: ImageLayer[];
  /** The repository in the image: its root and the base commit patches are taken against. */
  repo?: { root: string; commit: string };
}

export interface ResolveTaskImageOptions {
  log?: Logger;
  signal?: AbortSignal;
  docker?: Docker;
  /** Repository to tag built images into (default forager-env for environments, forager-task for tasks). */
  repository?: string;
  recipesDir?: string;
}

/**
 * The image a task runs in: its `image` (base, recipe, Dockerfile or ref), then the
 * environment layer (the repository's dependencies), then the task layer (the scrubbed
 * repository at its commit). Each layer is tagged by the hash of what it is built from
 * and built at most once; a task without a repo is just its `image`.
 */
export async function resolveTaskImage(task: ImageRequest, options: ResolveTaskImageOptions = {}): Promise<TaskImage> {
  const docker = options.docker ?? engine();
  const image = await resolveImage(task.spec.image, { taskDir: task.dir, log: options.log, signal: options.signal, docker, repository: options.repository, recipesDir: options.recipesDir });
  const layers: ImageLayer[] = [{ kind: 'image', ref: image.ref, id: image.id, built: image.built ?? false }];
  const { repo, environment } = task.spec;
  if (!repo) return { ...image, layers };
  const common = { docker, log: options.log, signal: options.signal };
  let parent: ResolvedImage = image;
  if (environment) {
    parent = await ensureLayer({ kind: 'environment', parent, repository: options.repository ?? 'forager-env', ...common, ...(await environmentBuild(environment, task.dir)) });
    layers.push({ kind: 'environment', ref: parent.ref, id: parent.id, built: parent.built ?? false });
  }
  const root = repoRoot(task.spec);
  const built = await ensureRepoLayer(repo, root, parent, task.dir, { ...common, repository: options.repository ?? 'forager-task' });
  layers.push({ kind: 'task', ref: built.image.ref, id: built.image.id, built: built.image.built ?? false });
  return { ...built.image, layers, repo: { root, commit: built.commit } };
}

async function environmentBuild(environment: EnvironmentSpec, taskDir: string) {
  if ('commands' in environment) {
    const dockerfile = Buffer.from(['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', ...environment.commands.map((c) => `RUN ${c.replace(/\n/g, ' \\\n')}`), ''].join('\n'));
    return { dockerfile, hashEntries: [], context: async () => ({ entries: [] }), source: 'environment.commands' };
  }
  const path = resolve(taskDir, environment.dockerfile);
  const contextDir = environment.context === undefined ? dirname(path) : resolve(taskDir, environment.context);
  const dockerfile = await readFile(path);
  const entries = await collectContext(contextDir);
  return { dockerfile, hashEntries: entries, context: async () => ({ entries }), source: path };
}

async function ensureRepoLayer(repo: RepoSpec, root: string, parent: ResolvedImage, taskDir: string, common: { docker: Docker; log?: Logger; signal?: AbortSignal; repository: string }) {
  const labels = (commit: string): string => `LABEL forager.repo.commit=${commit} forager.repo.root=${JSON.stringify(root)}`;
  if (repo.in_image) {
    const commit = repo.commit!;
    const script = `cd ${shellQuote(root)} && ${scrubScript(commit).split('\n').join(' && ')}`;
    const dockerfile = Buffer.from(['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', `RUN ${script}`, labels(commit), ''].join('\n'));
    const image = await ensureLayer({ kind: 'task', parent, dockerfile, hashEntries: [], context: async () => ({ entries: [] }), source: `repository in image at ${root}`, ...common });
    return { image, commit };
  }
  const source = await locateRepo(repo, taskDir, common.signal);
  try {
    const dockerfile = Buffer.from([
      'ARG BASE_IMAGE',
      'FROM ${BASE_IMAGE}',
      `COPY ["repo/", ${JSON.stringify(`${root.replace(/\/$/, '')}/`)}]`,
      // COPY resets mtimes: refresh the index so the first `git status` in a run is quick and clean.
      `RUN git config --system --add safe.directory '*' && cd ${shellQuote(root)} && (git update-index -q --refresh >/dev/null || true)`,
      labels(source.commit),
      '',
    ].join('\n'));
    const context = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'forager-task-context-'));
      await checkoutScrubbed(source.fetchFrom, source.commit, join(dir, 'repo'), common.signal);
      return { entries: await collectContext(dir), dispose: () => rm(dir, { recursive: true, force: true }) };
    };
    const image = await ensureLayer({ kind: 'task', parent, dockerfile, hashEntries: [], context, source: `${repo.url ?? repo.path}@${source.commit}`, ...common });
    return { image, commit: source.commit };
  } finally {
    await source.dispose();
  }
}
