import { posix } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { AbortedError, InfrastructureError } from '../core/errors.js';
import type { BackendSandbox } from '../sandbox/backend.js';
import { runOneShot } from '../sandbox/process/run.js';
import { TOOL_ENV } from '../sandbox/process/tool-env.js';

/**
 * Write one file into the container through the Engine API's archive endpoint (a
 * one-entry tar extracted at /): exact bytes, parent folders made by the engine, no
 * process in the container at all, so nothing the agent did to its shell applies.
 */
export async function putFile(container: Docker.Container, path: string, data: Buffer, options: { signal?: AbortSignal } = {}): Promise<void> {
  const name = posix.normalize(path).replace(/^\/+/, '');
  const pack = tar.pack();
  pack.entry({ name, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: new Date() }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  try {
    await container.putArchive(Buffer.concat(chunks), { path: '/', abortSignal: options.signal } as Record<string, unknown>);
  } catch (error) {
    throw new InfrastructureError('WRITE_FAILED', `could not write ${path}: ${(error as Error).message}`, { context: { path }, cause: error });
  }
}

/**
 * Write a file from inside a gVisor sandbox. The archive endpoint writes beneath gVisor's
 * kernel, which then does not see it: /tmp there is gVisor's own tmpfs (the bytes land in
 * the layer's /tmp, unseen), and a file the sandbox has read is served from gVisor's cache
 * (its old bytes; measured with runsc 20221219). So a process of its own, as root with a
 * clean PATH, takes the bytes on stdin into a fresh file in the target's folder and renames it
 * over the target: a new 0644 file, as the archive makes, never a half-written one.
 */
export async function putFileInside(box: BackendSandbox, path: string, data: Buffer, options: { signal?: AbortSignal } = {}): Promise<void> {
  if (options.signal?.aborted) throw new AbortedError();
  const target = posix.resolve('/', path);
  const script = [
    'umask 022',
    'dir=${1%/*}',
    'mkdir -p -- "${dir:-/}" || exit 1',
    'tmp=$(mktemp -- "${dir}/.forager-put-XXXXXX") || exit 1',
    // mv -T: a folder at the target is an error, never a place to move the file into.
    'if cat >"$tmp" && chmod 644 "$tmp" && mv -fT -- "$tmp" "$1"; then exit 0; fi',
    'rm -f -- "$tmp"; exit 1',
  ].join('\n');
  let result;
  try {
    result = await runOneShot(box, ['/bin/sh', '-c', script, 'forager-put', target], { env: TOOL_ENV, user: '0:0', stdinData: data, maxBytes: 4096 });
  } catch (error) {
    throw new InfrastructureError('WRITE_FAILED', `could not write ${path}: ${(error as Error).message}`, { context: { path }, cause: error });
  }
  if (result.exitCode !== 0) {
    const why = result.stderr.toString('utf8').trim() || `exit ${result.exitCode}`;
    throw new InfrastructureError('WRITE_FAILED', `could not write ${path} inside the gVisor sandbox: ${why}`, { context: { path } });
  }
}
