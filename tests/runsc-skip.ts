import { beforeEach } from 'vitest';

// Set by tests/runsc-setup.ts when `forager setup --runtime runsc`'s check says runsc cannot start here.
beforeEach((context) => {
  const reason = process.env.FORAGER_TEST_RUNSC_UNAVAILABLE;
  if (reason) context.skip(`runsc cannot start a sandbox on this machine: ${reason}`);
});
