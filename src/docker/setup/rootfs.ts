import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { findStreamError, followProgress, inspectImage } from '../images/engine-images.js';
import { runHostCommand } from '../../core/host-command.js';
import { flavourOf } from '../flavour.js';
import { silentLogger, type Logger } from '../../core/log.js';

export interface DebootstrapOptions {
  suite?: string;
  mirror?: string;
  packages?: string[];
  log?: Logger;
  signal?: AbortSignal;
}

/** Make a minimal Debian root file system in `dir` from Debian's packages (needs root and debootstrap). */
export async function debootstrapRootfs(dir: string, options: DebootstrapOptions = {}): Promise<void> {
  const suite = options.suite ?? 'bookworm';
  const mirror = options.mirror ?? process.env.FORAGER_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const include = (options.packages ?? ['python3', 'git', 'ca-certificates']).join(',');
  const args = ['--variant=minbase', `--include=${include}`, suite, dir, mirror];
  (options.log ?? silentLogger).info({ command: `debootstrap ${args.join(' ')}` }, 'making a Debian root file system');
  const result = await runHostCommand('debootstrap', args, { signal: options.signal, timeoutMs: 30 * 60_000 });
  if (result.exitCode !== 0) {
    throw new InfrastructureError('BASE_IMAGE_FAILED', `debootstrap ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.tail}`, {
      context: { exitCode: result.exitCode, dir },
    });
  }
}

export interface ImportOptions {
  /** Dockerfile instructions applied to the imported image (ENV, LABEL, CMD). */
  changes?: string[];
  signal?: AbortSignal;
}

/** Import the folder `dir` as image `ref` (repo:tag) through the Engine API (or the engine's own import, per its flavour); returns its ID. */
export async function importRootfs(docker: Docker, dir: string, ref: string, options: ImportOptions = {}): Promise<string> {
  // GNU tar keeps what a root file system needs (owners, hard links, device nodes, setuid bits).
  const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
  let tarError = '';
  tar.stderr.on('data', (chunk: Buffer) => { tarError = (tarError + chunk.toString()).slice(-2000); });
  const tarExit = new Promise<number | null>((resolve) => tar.on('close', resolve));
  tar.on('error', () => undefined);
  const importTar = flavourOf(docker).importTar ?? importTarCompat;
  const failure = await importTar(docker, tar.stdout, ref, { changes: options.changes ?? [], signal: options.signal });
  const exitCode = await tarExit;
  const error = failure ?? (exitCode === 0 ? null : `tar exited with ${exitCode}: ${tarError}`);
  if (error) throw new InfrastructureError('IMAGE_IMPORT_FAILED', `Importing ${dir} as ${ref} failed: ${error}`, { context: { dir, ref } });
  const image = await inspectImage(docker, ref);
  if (!image) throw new InfrastructureError('IMAGE_IMPORT_FAILED', `The engine reported no image ${ref} after importing ${dir}`, { context: { dir, ref } });
  return image.Id;
}

/** `POST /images/create?fromSrc=-`: Docker's import; the error the engine reported, or null. */
async function importTarCompat(docker: Docker, tar: Readable, ref: string, options: { changes: string[]; signal?: AbortSignal }): Promise<string | null> {
  const [repo, tag = 'latest'] = splitRef(ref);
  const stream = await docker.importImage(tar, { repo, tag, changes: options.changes, abortSignal: options.signal } as Record<string, unknown>);
  return findStreamError(await followProgress(docker, stream));
}

/** `name:tag` → [name, tag]; a registry port (`host:5000/name`) is not a tag. */
export function splitRef(ref: string): [string, string | undefined] {
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return [ref, undefined];
  return [ref.slice(0, colon), ref.slice(colon + 1)];
}
