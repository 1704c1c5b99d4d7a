import { posix } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { InfrastructureError } from '../core/errors.js';

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
