import type { ParserName } from './names.js';

/** A test's outcome as the SWE-bench harness records it in its status map. */
export type HarnessStatus = 'PASSED' | 'FAILED' | 'SKIPPED' | 'ERROR' | 'XFAIL';

/** Test id → outcome, as a parser read it from one test run. */
export type StatusMap = Record<string, HarnessStatus>;

/**
 * A pure function from what a test run left to its status map. `input` says what it
 * reads: the test command's output (stdout and stderr interleaved, as the harness
 * captures it) or the JUnit XML report the command wrote.
 */
export interface LogParser {
  name: ParserName;
  input: 'log' | 'junit';
  parse(text: string): StatusMap;
  /** The key a task's test id is found under, when the parser keys tests otherwise (JUnit). */
  keyOf?(id: string): string;
}

/** Status words the harness matches at the start of pytest's summary lines, in its order. */
export const HARNESS_STATUSES: readonly HarnessStatus[] = ['FAILED', 'PASSED', 'SKIPPED', 'ERROR', 'XFAIL'];
