import type { SandboxProvider } from '../core/contracts.js';
import { TaskError } from '../core/errors.js';
import { createDockerProvider } from '../docker/images/index.js';

/** Every sandbox backend forager knows: adding one is its folder plus one line here. */
export const PROVIDERS = {
  docker: createDockerProvider,
} satisfies Record<string, () => SandboxProvider>;

export type ProviderName = keyof typeof PROVIDERS;
export const DEFAULT_PROVIDER: ProviderName = 'docker';

let chosen: SandboxProvider | undefined;

/** The provider a name picks (FORAGER_SANDBOX, else docker); a clear error for an unknown one. */
export function createProvider(name: string = process.env.FORAGER_SANDBOX || DEFAULT_PROVIDER): SandboxProvider {
  if (!Object.hasOwn(PROVIDERS, name)) {
    throw new TaskError('UNKNOWN_SANDBOX_PROVIDER', `unknown sandbox provider ${JSON.stringify(name)} (--sandbox or FORAGER_SANDBOX): expected one of ${Object.keys(PROVIDERS).join(', ')}`);
  }
  return PROVIDERS[name as ProviderName]();
}

/**
 * The provider of this process: the one the CLI chose (`useProvider`), else the default.
 * Library callers and tests that pass no provider get this one.
 */
export function defaultProvider(): SandboxProvider {
  chosen ??= createProvider();
  return chosen;
}

/** Make `provider` the one of this process (the CLI calls this once, at start). */
export function useProvider(provider: SandboxProvider): void {
  chosen = provider;
}
