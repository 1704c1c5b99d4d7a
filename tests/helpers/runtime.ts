import { engine } from '../../src/docker/engine.js';
import { listRuntimes } from '../../src/docker/isolation/runtimes.js';

/**
 * Tests of runsc need it registered with the engine (`forager setup --runtime runsc`, which
 * scripts/test-env.sh runs): its absence is a failure that says so, never a skip.
 */
export async function requireRunsc(name = 'runsc'): Promise<void> {
  const { runtimes } = await listRuntimes(engine());
  if (!runtimes.some((r) => r.name === name)) throw new Error(`the engine has no runtime ${name}: run \`forager setup --runtime ${name}\` (scripts/test-env.sh does)`);
}
