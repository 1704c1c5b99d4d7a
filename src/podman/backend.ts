import { InfrastructureError } from '../core/errors.js';
import { DockerBackend, pingEngine, reapLoopDisks, reapSessionSocketDirs, startContainer, withEngineErrors, type EngineFlavour } from '../docker/index.js';
import type { BackendOptions, BackendSandbox, BackendSpec, LeftoverLine } from '../sandbox/backend.js';
import type { ProviderSetupOptions } from '../sandbox/contracts.js';
import { PODMAN_FLAVOUR } from './flavour.js';
import { readHostFacts, unenforcedLimits, type PodmanHostFacts } from './host-facts.js';
import { podmanClient, podmanEndpoint } from './endpoint.js';
import { setupPodman } from './setup/setup.js';

export interface PodmanBackendOptions extends BackendOptions {
  /** The service to talk to (default: CONTAINER_HOST, else Podman's socket for this user). */
  endpoint?: string;
}

/**
 * Podman as a sandbox backend: its Docker-compatible API driven by the Docker backend's
 * code, with Podman's engine facts (flavour.ts), its own host facts (rootless, cgroup
 * version, delegated controllers) deciding which limits hold, and its own set-up.
 */
export class PodmanBackend extends DockerBackend {
  override readonly name = 'podman';
  readonly endpoint: string;
  private readonly allowUnenforced: boolean;
  private facts: Promise<PodmanHostFacts> | undefined;

  constructor(options: PodmanBackendOptions = {}) {
    const endpoint = options.endpoint ?? podmanEndpoint();
    super({ docker: podmanClient(endpoint) });
    this.endpoint = endpoint;
    this.allowUnenforced = options.allowUnenforcedLimits === true;
  }

  override async health(): Promise<void> {
    if (!(await pingEngine(this.client))) {
      throw new InfrastructureError(
        'ENGINE_UNREACHABLE',
        `No Podman service answers at ${this.endpoint}. Run \`forager setup --sandbox podman\` (as root it installs podman and starts \`podman system service\` there), start one yourself (\`podman system service -t 0 ${this.endpoint}\`), or point CONTAINER_HOST at one.`,
        { context: { where: this.endpoint } },
      );
    }
    await this.sandboxFlavour();
  }

  override async create(spec: BackendSpec): Promise<BackendSandbox> {
    // Podman lists runtimes it may not have (runsc among them), and gVisor's leftovers and
    // process counts are only handled for Docker: a runtime is refused, not half-supported.
    if (spec.limits.runtime !== undefined) {
      throw new InfrastructureError('RUNTIME_UNAVAILABLE', `runtime ${JSON.stringify(spec.limits.runtime)} on the podman backend: forager runs Podman sandboxes under Podman's default runtime only (gVisor is supported on Docker: --sandbox docker --runtime runsc)`, { context: { runtime: spec.limits.runtime } });
    }
    return withEngineErrors(await startContainer(this.client, spec, await this.sandboxFlavour()));
  }

  /**
   * Loop disks left by dead harvesters (judged by their owner, whatever the engine). Not
   * gVisor processes: Docker's gc ends those, and a gVisor sandbox of Docker's, which
   * Podman does not list, would look orphaned from here.
   */
  override async reapLeftovers(options: { dryRun: boolean; isOwnerAlive: (pid: number, start: string) => boolean }): Promise<LeftoverLine[]> {
    const lines: LeftoverLine[] = (await reapLoopDisks(options.isOwnerAlive, options.dryRun)).map((name) => `loop disk ${name} (its harvester is gone)`);
    for (const name of await reapSessionSocketDirs(this.client, options.isOwnerAlive, options.dryRun)) lines.push(`session socket directory ${name} (its harvester is gone)`);
    return lines;
  }

  override setup(options: ProviderSetupOptions): Promise<number> {
    return setupPodman({ ...options, endpoint: this.endpoint, docker: this.client });
  }

  /** This host's facts, asked once. */
  hostFacts(): Promise<PodmanHostFacts> {
    if (!this.facts) {
      this.facts = readHostFacts(this.client);
      // A service that did not answer is asked again next time.
      this.facts.catch(() => { this.facts = undefined; });
    }
    return this.facts;
  }

  /**
   * The flavour sandboxes start with: the limits this host cannot enforce (refused unless
   * the operator accepted them), and the writable layer read from the host only when the
   * service is rootful — a rootless harvester cannot read what the sandbox's other users
   * wrote in its layer, and a walk that skips unreadable folders would record too little.
   */
  private async sandboxFlavour(): Promise<EngineFlavour> {
    const facts = await this.hostFacts();
    const unenforced = unenforcedLimits(facts);
    if (unenforced.length > 0 && !this.allowUnenforced) throw refusal(facts, unenforced, this.endpoint);
    return { ...PODMAN_FLAVOUR, hostLayer: !facts.rootless, unenforcedLimits: unenforced };
  }
}

function refusal(facts: PodmanHostFacts, unenforced: string[], endpoint: string): InfrastructureError {
  const where = facts.rootless && facts.cgroupVersion === 'v1'
    ? 'runs rootless on cgroup v1, where Podman accepts resource limits and ignores them'
    : `runs rootless on cgroup v2 without the ${unenforced.map((l) => ({ memory_mb: 'memory', cpus: 'cpu', pids: 'pids' })[l]).join(', ')} controller(s) delegated to this user`;
  return new InfrastructureError(
    'LIMITS_UNENFORCED',
    `The Podman service at ${endpoint} ${where}: a sandbox would run without its ${unenforced.join(', ')} limit(s), so forager does not start it. Use rootful Podman (as root: \`forager setup --sandbox podman\`), a cgroup v2 host that delegates those controllers, or accept unenforced limits with --allow-unenforced-limits (FORAGER_ALLOW_UNENFORCED_LIMITS=1); each trajectory's header then names them.`,
    { context: { where: endpoint, rootless: facts.rootless, cgroupVersion: facts.cgroupVersion, unenforced: unenforced.join(',') } },
  );
}

export function createPodmanBackend(options: PodmanBackendOptions = {}): PodmanBackend {
  // The engine's socket and 5xx errors as forager's codes, as on Docker.
  return withEngineErrors(new PodmanBackend(options));
}
