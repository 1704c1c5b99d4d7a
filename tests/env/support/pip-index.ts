import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SandboxProvider } from '../../../src/sandbox/index.js';
import { runIn } from '../../../src/eval/index.js';
import { DEFAULT_LIMITS } from '../../../src/task/index.js';
import { PINNED_ENV } from '../../../src/runner/index.js';
import { engine } from '../../../src/docker/index.js';
import { BASE_IMAGE } from '../../helpers/images.js';

export interface WheelSpec {
  name: string;
  version: string;
  requires: string[];
  /** Modules as Debian installs them (folders or files under dist-packages). */
  modules: string[];
  /** The Debian package holding them. */
  debian: string;
}

/**
 * Wheels the test builds itself: the pure-Python modules of Debian's packages of the same
 * projects (fetched from Debian's mirror in a container), packed as py3-none-any wheels.
 */
export async function buildWheels(provider: SandboxProvider, specs: WheelSpec[], runId: string): Promise<Map<string, Buffer>> {
  const sandbox = await provider.start({ image: BASE_IMAGE, runId, taskId: 'wheels', workdir: '/tmp', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS, network: 'bridge', action_timeout_s: 600 } });
  try {
    await sandbox.writeFile('/tmp/make-wheels.py', await readFile(fileURLToPath(new URL('./make-wheels.py', import.meta.url))));
    await sandbox.writeFile('/tmp/specs.json', JSON.stringify(specs));
    const packages = specs.map((s) => s.debian).join(' ');
    const script = `apt-get update -qq && cd /tmp && apt-get download ${packages} && for d in *.deb; do dpkg-deb -x "$d" /tmp/x; done && mkdir -p /tmp/wheels && python3 /tmp/make-wheels.py /tmp/wheels < /tmp/specs.json`;
    const result = await runIn(sandbox, '/tmp', script, { timeoutMs: 600_000 });
    if (result.exitCode !== 0) throw new Error(`building wheels failed: ${result.output.slice(-2000)}`);
    const wheels = new Map<string, Buffer>();
    for (const name of result.output.trim().split('\n').filter((l) => l.endsWith('.whl'))) wheels.set(name, (await sandbox.readFile(`/tmp/wheels/${name}`))!);
    return wheels;
  } finally {
    await sandbox.stop();
  }
}

export interface PipIndex {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** The Docker bridge's gateway: the host's address that containers on the bridge reach. */
export async function bridgeGateway(): Promise<string> {
  const network = await engine().getNetwork('bridge').inspect();
  const gateway = (network.IPAM?.Config ?? []).map((c: { Gateway?: string }) => c.Gateway).find(Boolean);
  if (gateway) return gateway;
  // An engine that leaves the gateway out of its IPAM config: the bridge's own interface holds it.
  const bridgeName = (network.Options as Record<string, string> | undefined)?.['com.docker.network.bridge.name'] ?? 'docker0';
  const address = networkInterfaces()[bridgeName]?.find((a) => a.family === 'IPv4')?.address;
  if (!address) throw new Error(`the Docker bridge network has no gateway address (no IPAM gateway, no IPv4 on ${bridgeName})`);
  return address;
}

/** A PEP 503 simple index of `wheels`, served on `host` (only there). */
export async function servePipIndex(wheels: Map<string, Buffer>, host: string): Promise<PipIndex> {
  const requests: string[] = [];
  const byProject = new Map<string, string[]>();
  for (const file of wheels.keys()) {
    const project = file.split('-')[0]!.toLowerCase().replace(/[-_.]+/g, '-');
    byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (path === '/simple/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${[...byProject.keys()].map((p) => `<a href="${p}/">${p}</a>`).join('\n')}</body></html>`);
    } else if (page && byProject.has(page[1]!.toLowerCase().replace(/[-_.]+/g, '-'))) {
      const files = byProject.get(page[1]!.toLowerCase().replace(/[-_.]+/g, '-'))!;
      const links = files.map((f) => `<a href="../../files/${f}#sha256=${createHash('sha256').update(wheels.get(f)!).digest('hex')}">${f}</a>`);
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`);
    } else if (path.startsWith('/files/') && wheels.has(path.slice(7))) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(wheels.get(path.slice(7)));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/simple`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
