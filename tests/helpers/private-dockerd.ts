import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { waitFor } from './batch.js';
import { BASE_IMAGE } from './images.js';

const run = promisify(execFile);

export interface PrivateDockerdOptions {
  /** Names its socket, data root, exec root and pidfile (default `forager-test`). */
  name?: string;
  /** Its own bridge and the bridge's address (default fgtest0, 10.213.77.1/24). */
  bridge?: string;
  bridgeAddress?: string;
  /** Listen on tcp://127.0.0.1:<tcpPort> instead of a unix socket: a remote engine, as seen from here. */
  tcpPort?: number;
}

/**
 * A Docker engine of the test's own (socket, data-root, exec-root under /tmp), so a test
 * can stop and restart an engine without disturbing the shared one.
 */
export class PrivateDockerd {
  readonly socket: string;
  readonly host: string;
  private readonly dataRoot: string;
  private readonly execRoot: string;
  private readonly pidfile: string;
  private readonly bridge: string;
  private readonly bridgeAddress: string;

  constructor(options: PrivateDockerdOptions = {}) {
    const name = options.name ?? 'forager-test';
    this.socket = `/tmp/${name}-dockerd.sock`;
    this.host = options.tcpPort ? `tcp://127.0.0.1:${options.tcpPort}` : `unix://${this.socket}`;
    this.dataRoot = `/tmp/${name}-docker`;
    this.execRoot = `/tmp/${name}-exec`;
    this.pidfile = `/tmp/${name}-dockerd.pid`;
    this.bridge = options.bridge ?? 'fgtest0';
    this.bridgeAddress = options.bridgeAddress ?? '10.213.77.1/24';
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host };
  }

  async start(): Promise<void> {
    await this.stop();
    await this.ensureBridge();
    // A bridge of its own: with `--bridge none` dockerd deletes the host's docker0, which
    // breaks every build and bridged container of the shared engine.
    const child = spawn('dockerd', [
      '--host', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--pidfile', this.pidfile,
      '--bridge', this.bridge, '--iptables=false', '--ip-masq=false',
    ], { detached: true, stdio: 'ignore' });
    child.unref();
    await waitFor(() => this.answers(), 30_000, 'the private dockerd to answer');
  }

  /** Stop it gracefully (its containers are killed, as when an engine restarts). */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGTERM');
    await waitFor(async () => !alive(pid), 30_000, 'the private dockerd to exit');
  }

  async loadBaseImage(): Promise<void> {
    await run('sh', ['-c', `docker save ${BASE_IMAGE} | DOCKER_HOST=${this.host} docker load`], { maxBuffer: 1 << 20 });
  }

  /** Build a one-layer image FROM the base image with these labels. */
  async buildLabelled(tag: string, labels: Record<string, string>): Promise<void> {
    const dockerfile = `FROM ${BASE_IMAGE}\nLABEL ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
    await run('sh', ['-c', `printf '%s' "$DOCKERFILE" | docker build -q -t ${tag} -`], { env: { ...this.env, DOCKERFILE: dockerfile } });
  }

  /** Give the base image forager.image=1, as `forager setup` does on a fresh machine. */
  async relabelBase(): Promise<void> {
    await this.buildLabelled(BASE_IMAGE, { 'forager.image': '1' });
  }

  /** The one image carrying `label` (k=v): its first ref, ID and size. */
  async imageWithLabel(label: string): Promise<{ ref: string; id: string; size: number }> {
    const { stdout } = await run('docker', ['images', '--filter', `label=${label}`, '--format', '{{.Repository}}:{{.Tag}}'], { env: this.env });
    const ref = stdout.split('\n').filter(Boolean)[0];
    if (!ref) throw new Error(`no image labelled ${label}`);
    const info = await run('docker', ['image', 'inspect', ref, '--format', '{{.Id}} {{.Size}}'], { env: this.env });
    const [id, size] = info.stdout.trim().split(' ');
    return { ref, id: id!, size: Number(size) };
  }

  async labelsOf(ref: string): Promise<Record<string, string>> {
    const { stdout } = await run('docker', ['image', 'inspect', ref, '--format', '{{json .Config.Labels}}'], { env: this.env });
    return JSON.parse(stdout) as Record<string, string>;
  }

  /** `repo:tag` of every tagged image. */
  async imageRefs(): Promise<string[]> {
    const { stdout } = await run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env: this.env });
    return stdout.split('\n').filter((ref) => ref && !ref.includes('<none>'));
  }

  /** `repo:tag size` of every image labelled forager.image=1. */
  async foragerImages(): Promise<Map<string, number>> {
    const { stdout } = await run('docker', ['images', '--filter', 'label=forager.image=1', '--format', '{{.Repository}}:{{.Tag}}'], { env: this.env });
    const out = new Map<string, number>();
    for (const ref of stdout.split('\n').filter(Boolean)) {
      const size = await run('docker', ['image', 'inspect', ref, '--format', '{{.Size}}'], { env: this.env });
      out.set(ref, Number(size.stdout.trim()));
    }
    return out;
  }

  /** Ids of containers labelled forager.run on this engine. */
  async foragerContainers(): Promise<string[]> {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', 'label=forager.run'], { env: this.env });
    return stdout.split('\n').filter(Boolean);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await run('ip', ['link', 'delete', this.bridge]).catch(() => undefined);
    for (const path of [this.dataRoot, this.execRoot, this.socket, this.pidfile]) await rm(path, { recursive: true, force: true });
  }

  private async ensureBridge(): Promise<void> {
    const exists = await run('ip', ['link', 'show', this.bridge]).then(() => true, () => false);
    if (exists) return;
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', this.bridgeAddress, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
  }

  private async answers(): Promise<boolean> {
    return run('docker', ['version', '--format', '{{.Server.Version}}'], { env: this.env, timeout: 3_000 }).then(() => true, () => false);
  }

  private pid(): number | null {
    if (!existsSync(this.pidfile)) return null;
    const pid = Number(readFileSync(this.pidfile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
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
