import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { engine } from '../engine.js';
import { collectContext, packContext } from '../images/build-context.js';
import { buildFromContext, tailLines } from '../images/docker-build.js';
import { inspectImage } from '../images/engine-images.js';
import { withFileLock } from '../images/file-lock.js';
import { findProgram, isRoot, runHostCommand } from '../../core/host-command.js';
import { LABEL_IMAGE } from '../images/labels.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { RECIPES_DIR } from '../images/paths.js';
import { tryPullImage } from '../images/pull.js';
import { debootstrapRootfs, importRootfs } from './rootfs.js';

/** The image every recipe starts FROM (passed to recipes as the BASE_IMAGE build argument). */
export const BASE_IMAGE = 'forager-base:bookworm';
/** The registry image the base recipe starts from where a registry is reachable. */
export const REGISTRY_BASE_IMAGE = 'debian:bookworm-slim';

export interface BaseImage {
  ref: string;
  id: string;
  /** `present`: nothing to do; `built`: built from the registry image; `debootstrapped`: made from Debian's packages. */
  action: 'present' | 'built' | 'debootstrapped';
}

export interface EnsureBaseImageOptions {
  log?: Logger;
  signal?: AbortSignal;
  docker?: Docker;
}

/**
 * Make sure forager-base:bookworm exists: built from debian:bookworm-slim where that can be
 * pulled, otherwise debootstrapped and imported. Safe to call from many processes at once.
 */
export async function ensureBaseImage(options: EnsureBaseImageOptions = {}): Promise<BaseImage> {
  const docker = options.docker ?? engine();
  const log = options.log ?? silentLogger;
  const present = await inspectImage(docker, BASE_IMAGE);
  if (present) return { ref: BASE_IMAGE, id: present.Id, action: 'present' };
  return withFileLock('base-image', async () => {
    const made = await inspectImage(docker, BASE_IMAGE); // another process may have made it meanwhile
    if (made) return { ref: BASE_IMAGE, id: made.Id, action: 'present' };
    const registry = (await inspectImage(docker, REGISTRY_BASE_IMAGE)) !== null
      || (await tryPullImage(docker, REGISTRY_BASE_IMAGE, { log, signal: options.signal }));
    if (registry) return { ref: BASE_IMAGE, id: await buildBaseRecipe(docker, log, options.signal), action: 'built' };
    return { ref: BASE_IMAGE, id: await debootstrapBase(docker, log, options.signal), action: 'debootstrapped' };
  }, { signal: options.signal, onWait: (holder) => log.info({ holder }, 'waiting for another process making the base image') });
}

async function buildBaseRecipe(docker: Docker, log: Logger, signal?: AbortSignal): Promise<string> {
  log.info({ from: REGISTRY_BASE_IMAGE, ref: BASE_IMAGE }, 'building the base image');
  const entries = await collectContext(join(RECIPES_DIR, 'base'));
  const result = await buildFromContext(docker, packContext(entries), {
    tag: BASE_IMAGE,
    dockerfile: 'Dockerfile',
    buildargs: { DEBIAN_IMAGE: REGISTRY_BASE_IMAGE },
    labels: { [LABEL_IMAGE]: '1' },
    signal,
    log,
  });
  if (!result.id) throw new InfrastructureError('BASE_IMAGE_FAILED', `Building ${BASE_IMAGE} from images/base failed: ${result.error}\n${tailLines(result.log)}`);
  return result.id;
}

async function debootstrapBase(docker: Docker, log: Logger, signal?: AbortSignal): Promise<string> {
  if (!isRoot()) {
    throw new InfrastructureError('BASE_IMAGE_FAILED', `Cannot make ${BASE_IMAGE}: ${REGISTRY_BASE_IMAGE} cannot be pulled and debootstrap needs root. Run \`sudo forager setup\`, or see images/base/README.md.`);
  }
  await installDebootstrap(log);
  const dir = await mkdtemp(join(tmpdir(), 'forager-rootfs-'));
  try {
    await debootstrapRootfs(dir, { log, signal });
    log.info({ dir, ref: BASE_IMAGE }, 'importing the root file system');
    return await importRootfs(docker, dir, BASE_IMAGE, {
      signal,
      changes: [
        `LABEL ${LABEL_IMAGE}=1`,
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'ENV LANG=C.UTF-8',
        'CMD ["bash"]',
      ],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function installDebootstrap(log: Logger): Promise<void> {
  if (findProgram('debootstrap')) return;
  if (!findProgram('apt-get')) {
    throw new InfrastructureError('BASE_IMAGE_FAILED', `Cannot make ${BASE_IMAGE}: ${REGISTRY_BASE_IMAGE} cannot be pulled, and neither debootstrap nor apt-get (to install it) is available.`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'debootstrap']]) {
    log.info({ command: `apt-get ${args.join(' ')}` }, 'installing debootstrap');
    const result = await runHostCommand('apt-get', args, { env, timeoutMs: 10 * 60_000 });
    if (result.exitCode !== 0) throw new InfrastructureError('BASE_IMAGE_FAILED', `apt-get ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.tail}`);
  }
}
