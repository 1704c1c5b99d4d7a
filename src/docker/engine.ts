import Docker from 'dockerode';
import { InfrastructureError } from '../core/errors.js';

let shared: Docker | undefined;

/** The engine named by DOCKER_HOST, or the default local socket. One client per process. */
export function engine(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Whether an engine answers; never throws. */
export async function pingEngine(docker: Docker = engine(), timeoutMs = 3_000): Promise<boolean> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Throw a clear error when no engine answers. */
export async function requireEngine(docker: Docker = engine()): Promise<Docker> {
  if (await pingEngine(docker)) return docker;
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  throw new InfrastructureError(
    'ENGINE_UNREACHABLE',
    `No Docker engine answers at ${where}. Run \`forager setup\` (installs and starts one on Debian/Ubuntu as root), or start Docker and set DOCKER_HOST.`,
  );
}

let version: Promise<string | undefined> | undefined;

/** The engine's version string, asked once per process. */
export function dockerVersion(docker: Docker = engine()): Promise<string | undefined> {
  version ??= docker.version().then((v) => v.Version).catch(() => undefined);
  return version;
}
