import { basename } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';

/** An OCI runtime as the engine has it registered. */
export interface EngineRuntime {
  name: string;
  path: string;
  args: string[];
  /** gVisor (`runsc`): the sandbox has a kernel of its own. */
  gvisor: boolean;
}

interface InfoRuntimes {
  DefaultRuntime?: string;
  Runtimes?: Record<string, { path?: string; runtimeArgs?: string[] | null }>;
}

/** The engine's runtimes (`docker info`), asked again each call: `forager setup --runtime` may have just registered one. */
export async function listRuntimes(docker: Docker): Promise<{ default: string; runtimes: EngineRuntime[] }> {
  const info = (await docker.info()) as InfoRuntimes;
  const runtimes = Object.entries(info.Runtimes ?? {}).map(([name, r]) => toRuntime(name, r.path ?? name, r.runtimeArgs ?? []));
  return { default: info.DefaultRuntime ?? 'runc', runtimes };
}

const known = new WeakMap<Docker, Map<string, EngineRuntime>>();

/**
 * The runtime a sandbox asks for (`limits.runtime`; absent: the engine's default), read from
 * the engine, never guessed from the name alone: an unknown name fails before anything starts.
 */
export async function resolveRuntime(docker: Docker, name: string | undefined): Promise<EngineRuntime> {
  const cache = known.get(docker) ?? new Map<string, EngineRuntime>();
  known.set(docker, cache);
  const key = name ?? '';
  const hit = cache.get(key);
  if (hit) return hit;
  const listed = await listRuntimes(docker);
  const found = listed.runtimes.find((r) => r.name === (name ?? listed.default)) ?? (name === undefined ? toRuntime(listed.default, listed.default, []) : undefined);
  if (!found) {
    const hint = name === 'runsc' ? ' Run `forager setup --runtime runsc` (installs gVisor and registers it).' : '';
    throw new InfrastructureError('RUNTIME_UNAVAILABLE', `the engine has no runtime ${JSON.stringify(name)} (it has ${listed.runtimes.map((r) => r.name).join(', ')}).${hint}`, { context: { runtime: name } });
  }
  cache.set(key, found);
  return found;
}

function toRuntime(name: string, path: string, args: string[]): EngineRuntime {
  return { name, path, args, gvisor: basename(path) === 'runsc' || name === 'runsc' };
}

/** Whether the runtime's own arguments take the network away whatever the container asks (gVisor's `--network=none`). */
export function runtimeDropsNetwork(runtime: EngineRuntime): boolean {
  return runtime.args.some((a) => a === '--network=none' || a === '-network=none');
}
