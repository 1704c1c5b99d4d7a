import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { BASE_IMAGE, startContainer } from '../../docker/index.js';
import type { EnforcedLimit } from '../../sandbox/backend.js';
import { LABEL_RUN, LABEL_TASK, ownerLabels } from '../../sandbox/index.js';
import { DEFAULT_LIMITS } from '../../task/spec.js';
import { PODMAN_FLAVOUR } from '../flavour.js';

/**
 * Start and remove one sandbox the way every run will (limits, catatonit as init, the
 * dead-man), so that set-up fails here, saying what to change, rather than every attempt
 * later: a service whose containers ask for more rlimits than root may give, or no init.
 */
export async function probeSandbox(docker: Docker, options: { endpoint: string; unenforced: EnforcedLimit[]; rootless: boolean }): Promise<{ ms: number }> {
  const started = Date.now();
  try {
    const box = await startContainer(docker, {
      image: BASE_IMAGE,
      workdir: '/',
      env: {},
      hostname: 'forager',
      limits: { ...DEFAULT_LIMITS, network: 'none' },
      labels: { [LABEL_RUN]: `setup-probe-${process.pid}`, [LABEL_TASK]: 'setup-probe', ...ownerLabels() },
      lifetimeS: 60,
    }, { ...PODMAN_FLAVOUR, hostLayer: !options.rootless, unenforcedLimits: options.unenforced });
    await box.remove();
  } catch (error) {
    throw explain(error, options.endpoint);
  }
  return { ms: Date.now() - started };
}

function explain(error: unknown, endpoint: string): InfrastructureError {
  const message = (error as { json?: { message?: string } }).json?.message ?? (error instanceof Error ? error.message : String(error));
  let how = 'see the service\'s log';
  if (/rlimit/i.test(message)) {
    how = 'the service gives containers rlimits this host\'s root may not raise: set [containers] default_ulimits = ["nofile=N:N", "nproc=M:M"] (N, M at most `ulimit -Hn`, `ulimit -Hu` of the service) in the containers.conf it reads and restart it — forager writes exactly that into its own containers.conf for the service it starts';
  } else if (/catatonit|podman-init|init binary/i.test(message)) {
    how = 'no init for --init: apt-get install catatonit';
  }
  return new InfrastructureError('ENGINE_START_FAILED', `A probe sandbox could not start on the Podman service at ${endpoint}: ${message.trim()} — ${how}.`, { context: { where: endpoint }, cause: error });
}
