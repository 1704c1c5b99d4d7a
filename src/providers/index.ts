import { TaskError } from '../core/errors.js';
import { createDockerBackend } from '../docker/index.js';
import { createSandboxProvider, type IsolationChoice, type SandboxBackend, type SandboxProvider } from '../sandbox/index.js';
import { createUnsandboxedBackend } from '../unsandboxed/index.js';

/** Every sandbox backend forager knows: adding one is its folder plus one line here. */
export const BACKENDS = {
  docker: createDockerBackend,
  /** Not a sandbox: forager's own tests only (refused unless FORAGER_ALLOW_UNSANDBOXED=1). */
  unsandboxed: createUnsandboxedBackend,
} satisfies Record<string, () => SandboxBackend>;

export type ProviderName = keyof typeof BACKENDS;
export const PROVIDER_NAMES = Object.keys(BACKENDS) as ProviderName[];
export const DEFAULT_PROVIDER: ProviderName = 'docker';

/**
 * The provider a name picks (FORAGER_SANDBOX, else docker): the backend-neutral runtime
 * over that backend; a clear error for an unknown name. The CLI calls this once and
 * hands the provider down to everything that starts sandboxes.
 */
export function createProvider(name: string = process.env.FORAGER_SANDBOX || DEFAULT_PROVIDER, options: { isolation?: IsolationChoice } = {}): SandboxProvider {
  if (!Object.hasOwn(BACKENDS, name)) {
    throw new TaskError('UNKNOWN_SANDBOX_PROVIDER', `unknown sandbox provider ${JSON.stringify(name)} (--sandbox or FORAGER_SANDBOX): expected one of ${PROVIDER_NAMES.join(', ')}`);
  }
  return createSandboxProvider(BACKENDS[name as ProviderName](), options);
}
