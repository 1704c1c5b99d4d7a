import { TaskError } from '../core/errors.js';
import { createDockerBackend } from '../docker/index.js';
import { createPodmanBackend } from '../podman/index.js';
import { createSandboxProvider, type BackendOptions, type IsolationChoice, type SandboxBackend, type SandboxProvider } from '../sandbox/index.js';
import { createUnsandboxedBackend } from '../unsandboxed/index.js';

/** Every sandbox backend forager knows: adding one is its folder plus one line here. */
export const BACKENDS = {
  docker: createDockerBackend,
  podman: createPodmanBackend,
  /** Not a sandbox: forager's own tests only (refused unless FORAGER_ALLOW_UNSANDBOXED=1). */
  unsandboxed: createUnsandboxedBackend,
} satisfies Record<string, (options: BackendOptions) => SandboxBackend>;

export type ProviderName = keyof typeof BACKENDS;
export const PROVIDER_NAMES = Object.keys(BACKENDS) as ProviderName[];
export const DEFAULT_PROVIDER: ProviderName = 'docker';

/**
 * The provider a name picks (FORAGER_SANDBOX, else docker): the backend-neutral runtime
 * over that backend; a clear error for an unknown name. The CLI calls this once and
 * hands the provider down to everything that starts sandboxes.
 */
export function createProvider(name: string = process.env.FORAGER_SANDBOX || DEFAULT_PROVIDER, options: ProviderOptions = {}): SandboxProvider {
  if (!Object.hasOwn(BACKENDS, name)) {
    throw new TaskError('UNKNOWN_SANDBOX_PROVIDER', `unknown sandbox provider ${JSON.stringify(name)} (--sandbox or FORAGER_SANDBOX): expected one of ${PROVIDER_NAMES.join(', ')}`);
  }
  const backend: BackendOptions = { allowUnenforcedLimits: options.allowUnenforcedLimits ?? backendOptionsFromEnv().allowUnenforcedLimits };
  const create: (options: BackendOptions) => SandboxBackend = BACKENDS[name as ProviderName];
  return createSandboxProvider(create(backend), { isolation: options.isolation });
}

/** What the CLI chooses once for every sandbox: the backend's options and the isolation tasks that name none get. */
export interface ProviderOptions extends BackendOptions {
  isolation?: IsolationChoice;
}

/** The backend options a process gets from its environment (FORAGER_ALLOW_UNENFORCED_LIMITS=1), for child processes of the CLI. */
export function backendOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BackendOptions {
  return { allowUnenforcedLimits: /^(1|true|yes)$/i.test(env.FORAGER_ALLOW_UNENFORCED_LIMITS ?? '') };
}
