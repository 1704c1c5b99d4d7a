import { engine } from '../src/docker/engine.js';
import { listRuntimes } from '../src/docker/isolation/runtimes.js';
import { checkRuntimeStarts } from '../src/docker/setup/runtime-setup.js';
import { BASE_IMAGE } from './helpers/images.js';

/**
 * The runsc tier (the hostile suite again, every sandbox under gVisor): runsc must be
 * registered (`forager setup --runtime runsc`, run by scripts/test-env.sh), or the tier
 * fails. It is skipped only where setup's own check says runsc cannot start a sandbox on
 * this machine, and the skip says why.
 */
export default async function setup(): Promise<void> {
  const runtime = (await listRuntimes(engine())).runtimes.find((r) => r.name === 'runsc');
  if (!runtime) throw new Error('the runsc tier needs runsc registered with the engine: run `forager setup --runtime runsc` (scripts/test-env.sh does)');
  try {
    await checkRuntimeStarts(engine(), runtime, BASE_IMAGE);
  } catch (error) {
    if ((error as { code?: string }).code !== 'RUNTIME_START_FAILED') throw error;
    process.env.FORAGER_TEST_RUNSC_UNAVAILABLE = (error as Error).message;
  }
}
