import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pingEngine } from '../../src/docker/index.js';
import { podmanClient } from '../../src/podman/index.js';
import type { CliResult } from './cli.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** The unprivileged user scripts/test-env.sh makes for rootless Podman (its service started by `forager setup --sandbox podman` as that user). */
export const ROOTLESS_USER = 'forager-rootless';

export async function rootlessUid(): Promise<number> {
  return Number((await run('id', ['-u', ROOTLESS_USER])).stdout.trim());
}

/** The socket `forager setup --sandbox podman` starts the user's service on (Podman's own default: no XDG_RUNTIME_DIR here). */
export async function rootlessEndpoint(): Promise<string> {
  return `unix:///tmp/podman-run-${await rootlessUid()}/podman/podman.sock`;
}

/** Fail (never skip) with what to run when the rootless user's service does not answer. */
export async function requireRootlessService(endpoint: string): Promise<void> {
  if (!(await pingEngine(podmanClient(endpoint), 5_000))) {
    throw new Error(`No rootless Podman service answers at ${endpoint}: run \`bash scripts/test-env.sh\` as root (it makes ${ROOTLESS_USER} and starts its service with \`forager setup --sandbox podman\` as that user)`);
  }
}

/** A folder under /tmp the rootless user owns (the test run's TMPDIR is root's). */
export async function rootlessDir(): Promise<string> {
  const dir = await mkdtemp('/tmp/forager-rootless-test-');
  const uid = await rootlessUid();
  await chown(dir, uid, uid);
  return dir;
}

/** The CLI from source as the rootless user, with a clean environment of its own. */
export async function runCliAsRootless(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn('runuser', ['-u', ROOTLESS_USER, '--', 'env', '-i', `HOME=/home/${ROOTLESS_USER}`, `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`,
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, '--import', 'tsx', ENTRY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
