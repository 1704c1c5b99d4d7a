import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { findStreamError, followProgress, inspectImage } from './engine-images.js';
import { recordBuiltImage } from './built-images.js';
import type { Logger } from '../../core/log.js';

export interface BuildRequest {
  tag: string;
  /** Path of the Dockerfile inside the context tar. */
  dockerfile: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Network of the RUN steps (default the engine's bridge); `none` for steps that need none. */
  networkmode?: string;
  signal?: AbortSignal;
  log?: Logger;
}

/** A finished build, failed or not: a failing Dockerfile is a result, not an exception. */
export interface BuildResult {
  /** The built image's ID (sha256:…), or null when the build failed. */
  id: string | null;
  /** Everything the build printed. */
  log: string;
  error: string | null;
  durationMs: number;
}

/** Build an image from a context tar through the Engine API (classic builder; intermediate containers always removed). */
export async function buildFromContext(docker: Docker, context: Readable, request: BuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const stream = await docker.buildImage(context, {
    t: request.tag,
    dockerfile: request.dockerfile,
    buildargs: request.buildargs,
    labels: request.labels,
    ...(request.networkmode ? { networkmode: request.networkmode } : {}),
    rm: true,
    forcerm: true,
    abortSignal: request.signal,
  });
  let log = '';
  const events = await followProgress(docker, stream, (event) => {
    if (event.stream) {
      log += event.stream;
      const line = event.stream.trim();
      if (line.startsWith('Step ')) request.log?.debug({ tag: request.tag, step: line }, 'build step');
    }
  });
  const error = findStreamError(events);
  if (error) return { id: null, log: `${log}${log.endsWith('\n') ? '' : '\n'}${error}\n`, error, durationMs: Date.now() - started };
  const id = [...events].reverse().find((event) => event.aux?.ID)?.aux?.ID ?? (await inspectImage(docker, request.tag))?.Id ?? null;
  // Our own record of what we built: eviction may remove these and nothing else. Failing
  // to record only means the image is never evicted.
  if (id) await recordBuiltImage(docker, id, request.tag).catch((cause: unknown) => request.log?.warn({ err: cause, tag: request.tag }, 'could not record a built image'));
  return { id, log, error: id ? null : 'the engine reported no image', durationMs: Date.now() - started };
}

/** The last `lines` lines of a build log: what a failure message should show. */
export function tailLines(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
