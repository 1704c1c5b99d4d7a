import type Docker from 'dockerode';
import tar from 'tar-stream';
import { engine } from '../src/docker/index.js';
import { podmanClient, podmanEndpoint } from '../src/podman/index.js';

const BASE = 'forager-base:bookworm';

/** The tag of the image holding `files` small files under /work/repo (built once, then reused). */
export function filesImageTag(files: number): string {
  return `forager-statebench:${files}`;
}

/** The engine images are built on: the one FORAGER_SANDBOX names (docker, or podman for the suites run on both). */
function engineClient(): Docker {
  return process.env.FORAGER_SANDBOX === 'podman' ? podmanClient(podmanEndpoint()) : engine();
}

/**
 * An image FROM the base image with `files` files of a few bytes baked into
 * /work/repo, spread over folders of 1000: a repository the agent does not touch.
 */
export async function ensureFilesImage(files: number): Promise<string> {
  const tag = filesImageTag(files);
  const docker = engineClient();
  const known = await docker.getImage(tag).inspect().then(() => true, () => false);
  if (known) return tag;
  const dockerfile = [
    `FROM ${BASE}`,
    `RUN python3 -c "exec(\\"import os\\\\nfor i in range(${files}):\\\\n d='/work/repo/d%03d' % (i // 1000); os.makedirs(d, exist_ok=True); open('%s/f%06d.py' % (d, i), 'w').write('x = 1')\\")"`,
    '',
  ].join('\n');
  const context = tar.pack();
  context.entry({ name: 'Dockerfile' }, dockerfile);
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag, rm: true, forcerm: true });
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string }; stream?: string }[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (error, out) => (error ? reject(error) : resolve(out)));
  });
  const failed = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
  if (failed) throw new Error(`building ${tag} failed: ${failed.error ?? failed.errorDetail?.message}\n${events.map((e) => e.stream ?? '').join('').slice(-2000)}`);
  return tag;
}
