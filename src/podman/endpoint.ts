import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { TaskError } from '../core/errors.js';
import { withFlavour } from '../docker/index.js';
import { PODMAN_FLAVOUR } from './flavour.js';

/**
 * The Podman service forager talks to: `CONTAINER_HOST` (Podman's own variable, as
 * DOCKER_HOST is Docker's; `unix://PATH` or `tcp://HOST:PORT`), else the socket Podman
 * itself names for this user (`podman info` → remoteSocket): /run/podman/podman.sock for
 * root, $XDG_RUNTIME_DIR/podman/podman.sock rootless.
 */
export function podmanEndpoint(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const given = env.CONTAINER_HOST;
  if (given) {
    if (/^(unix|tcp):\/\//.test(given)) return given;
    throw new TaskError('PODMAN_ENDPOINT_UNSUPPORTED', `CONTAINER_HOST=${given}: forager reaches Podman over unix:// or tcp:// only (not ssh://); forward the socket, e.g. ssh -L /tmp/podman.sock:/run/podman/podman.sock HOST, and set CONTAINER_HOST=unix:///tmp/podman.sock`);
  }
  return `unix://${defaultSocket(env, uid)}`;
}

/** Podman's default API socket for `uid`: its runtime folder, chosen the way Podman chooses it. */
export function defaultSocket(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  if (uid === 0) return '/run/podman/podman.sock';
  return join(rootlessRuntimeDir(env, uid), 'podman', 'podman.sock');
}

/** $XDG_RUNTIME_DIR, else /run/user/UID when it is the user's own 0700 folder, else $TMPDIR/podman-run-UID. */
function rootlessRuntimeDir(env: NodeJS.ProcessEnv, uid: number): string {
  if (env.XDG_RUNTIME_DIR) return env.XDG_RUNTIME_DIR;
  const run = `/run/user/${uid}`;
  try {
    const stat = statSync(run);
    if (stat.uid === uid && (stat.mode & 0o777) === 0o700) return run;
  } catch {
    // absent: Podman falls back to a folder under the temporary directory
  }
  return join(env.TMPDIR || tmpdir(), `podman-run-${uid}`);
}

/** An Engine-API client for a Podman endpoint, marked with Podman's flavour. */
export function podmanClient(endpoint: string): Docker {
  const url = new URL(endpoint);
  const docker = url.protocol === 'unix:'
    ? new Docker({ socketPath: url.pathname })
    : new Docker({ host: url.hostname, port: Number(url.port), protocol: 'http' });
  return withFlavour(docker, PODMAN_FLAVOUR);
}
