import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { defaultSocket, podmanClient } from '../../src/podman/index.js';
import { confPath } from '../../src/podman/setup/conf.js';
import { pingEngine } from '../../src/docker/index.js';
import { waitFor } from './batch.js';

/** The rootful Podman service `forager setup --sandbox podman` starts (scripts/test-env.sh runs it). */
export const PODMAN_ENDPOINT = `unix://${defaultSocket({}, 0)}`;

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A second Podman API service on the same store, listening on tcp://127.0.0.1:<port>: a
 * remote endpoint as seen from here (nothing of it is a local socket), sharing the images.
 */
export class TcpPodmanService {
  readonly host: string;
  private pid: number | undefined;

  constructor(readonly port: number) {
    this.host = `tcp://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const child = spawn('podman', ['system', 'service', '--time', '0', this.host], {
      detached: true,
      stdio: 'ignore',
      // The same containers.conf as the socket's service (rlimits this host's root may give).
      env: { ...process.env, CONTAINERS_CONF: confPath(0) },
    });
    child.unref();
    this.pid = child.pid;
    const client = podmanClient(this.host);
    await waitFor(() => pingEngine(client, 1_000), 30_000, `podman system service on ${this.host}`);
  }

  async stop(): Promise<void> {
    if (this.pid === undefined) return;
    const pid = this.pid;
    this.pid = undefined;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    await waitFor(async () => !alive(pid), 30_000, 'the tcp podman service to exit');
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
