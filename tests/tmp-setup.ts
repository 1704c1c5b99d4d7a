import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary folder of a test run (the tests' own, and those forager makes under
 * os.tmpdir(), in the test processes and the CLIs and workers they start) goes under one
 * folder, removed when the run ends: runs used to leave hundreds of folders in /tmp each
 * (~1 GB over a few dozen runs), and a machine that runs the suite often fills its disk.
 *
 * One folder per run, not per project: every project's global setup runs in the same
 * process, and a folder per project nested them (three deep with the runsc tier), which
 * made paths too long for a Unix socket (108 bytes): Chromium's singleton socket aborted
 * the browser (the session socket, before it was bound through a descriptor, fell back to the attach).
 */
export default function setup(): () => Promise<void> {
  if (process.env['FORAGER_TESTS_TMP']) return async () => undefined;
  const runTmp = mkdtempSync(join(tmpdir(), 'forager-tests-'));
  process.env['FORAGER_TESTS_TMP'] = runTmp;
  process.env['TMPDIR'] = runTmp;
  return async () => {
    await rm(runTmp, { recursive: true, force: true }).catch((error: unknown) => {
      process.stderr.write(`tests: could not remove ${runTmp}: ${(error as Error).message}\n`);
    });
  };
}
