import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';

/** Where a client talks to: `unix:///var/run/docker.sock` or `tcp://host:port`. */
export function describeEndpoint(docker: Docker): string {
  const modem = docker.modem as { socketPath?: string | (() => unknown); host?: string; port?: number | string; protocol?: string };
  // docker-modem leaves the default socket as a function resolved at first request.
  if (typeof modem.socketPath === 'function') return `unix://${defaultSocket()}`;
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? 'tcp'}://${modem.host ?? 'localhost'}${modem.port ? `:${modem.port}` : ''}`;
}

function defaultSocket(): string {
  const user = join(homedir(), '.docker', 'run', 'docker.sock');
  return existsSync(user) ? user : '/var/run/docker.sock';
}
