import type { ProvidedSandbox } from '../sandbox/index.js';
import { runIn, tail } from '../eval/index.js';
import { parserNamed, type StatusMap } from '../eval/parsers/index.js';
import { readBounded } from '../env/sandbox-files.js';
import { MAX_TEST_LOG_BYTES } from '../env/test-runs.js';
import { shellQuote } from '../core/quote.js';

const WORK = '/tmp/forager-mine';

export interface BenchRun {
  map: StatusMap;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Why the state could not be set up (a checkout or the test patch failed); the run did not happen. */
  setupError?: string;
  log: string;
}

/**
 * One repository's environment container for mining: check a commit out (the working
 * tree forced to it, untracked files of earlier states removed, ignored ones such as the
 * install's kept), optionally apply a test patch, run the chosen test files, read the log.
 */
export class MiningBench {
  constructor(readonly sandbox: ProvidedSandbox, readonly root: string, readonly select: string, readonly parser: string) {}

  async runAt(commit: string, files: string[], options: { testPatch?: string; timeoutMs: number; signal?: AbortSignal }): Promise<BenchRun> {
    const { signal } = options;
    const checkout = await runIn(this.sandbox, this.root, `mkdir -p ${WORK} && git checkout -q -f ${commit} && git clean -fdq`, { timeoutMs: 120_000, signal });
    if (checkout.exitCode !== 0) return failed(`git checkout ${commit.slice(0, 10)} failed: ${tail(checkout.output, 500)}`);
    if (options.testPatch) {
      await this.sandbox.writeFile(`${WORK}/test.patch`, options.testPatch, { signal });
      const applied = await runIn(this.sandbox, this.root, `git apply --binary ${WORK}/test.patch`, { timeoutMs: 120_000, signal });
      if (applied.exitCode !== 0) return failed(`the test patch does not apply: ${tail(applied.output, 500)}`);
    }
    const command = this.select.replace('{files}', files.map(shellQuote).join(' '));
    const result = await runIn(this.sandbox, this.root, `(\n${command}\n) > ${WORK}/test.log 2>&1`, { timeoutMs: options.timeoutMs, signal });
    const log = (await readBounded(this.sandbox, `${WORK}/test.log`, MAX_TEST_LOG_BYTES, signal).catch(() => null))?.toString('utf8') ?? '';
    return { map: parserNamed(this.parser).parse(log), exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, log };
  }
}

function failed(setupError: string): BenchRun {
  return { map: {}, exitCode: null, timedOut: false, durationMs: 0, setupError, log: '' };
}
