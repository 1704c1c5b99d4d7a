import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

/**
 * The API version libpod paths are asked under. Podman serves its own API (`/libpod/…`)
 * only under a version prefix; 4.0.0 is the oldest its 4.x services accept.
 */
const LIBPOD_VERSION = 'v4.0.0';

export interface LibpodRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path after `/libpod`, e.g. `/info`. */
  path: string;
  /** A JSON body (POST). */
  body?: object;
  /** Query parameters (arrays are repeated keys). */
  query?: Record<string, string | string[]>;
  /** A raw body (a tar stream), sent as application/x-tar. */
  file?: Readable;
  signal?: AbortSignal;
}

/**
 * One call of Podman's own API through the same client (socket or TCP) as the Engine-API
 * calls: for what the Docker-compatible API lacks or gets wrong on Podman (a live
 * container's PID limit, image import under its own name, host facts).
 */
export function libpod<T = unknown>(docker: Docker, request: LibpodRequest): Promise<T> {
  const query = request.query ? '?' : '';
  return new Promise((resolve, reject) => {
    docker.modem.dial({
      path: `/${LIBPOD_VERSION}/libpod${request.path}${query}`,
      method: request.method,
      options: request.query ? { _query: request.query, ...(request.body ? { _body: request.body } : {}) } : request.body ?? {},
      file: request.file,
      headers: request.file ? { 'Content-Type': 'application/x-tar' } : undefined,
      abortSignal: request.signal,
      statusCodes: { 200: true, 201: true, 204: true, 400: 'bad parameter', 404: 'no such object', 409: 'conflict', 500: 'server error' },
    } as Parameters<Docker['modem']['dial']>[0], (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as T)));
  });
}
