// Start a sandbox through the provider registry (FORAGER_SANDBOX, DOCKER_HOST from the
// environment), print its id and exit without stopping it: its owner is then gone.
import { createProvider } from '../../src/providers/index.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';

const [image, runId] = process.argv.slice(2);
const sandbox = await createProvider().start({
  image: image!, runId: runId!, taskId: 'orphan', workdir: '/work', env: {}, limits: { ...DEFAULT_LIMITS, wall_time_s: 600 },
});
process.stdout.write(`${sandbox.id}\n`);
process.exit(0);
