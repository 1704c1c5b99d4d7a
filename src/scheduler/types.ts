import type { ExitStatus, Failure } from '../trajectory/schema.js';

export type { ExitStatus };
export type FailureKind = Failure['kind'];

/** How one attempt ended, after its retries. */
export interface AttemptOutcome {
  key: string;
  taskId: string;
  attempt: number;
  status: ExitStatus;
  failureKind: FailureKind | null;
  code: string | null;
  message: string | null;
  /** The trajectory file, or null when no try left one (a hung engine before the first write). */
  path: string | null;
  retries: number;
  reasons: string[];
  steps: number;
  durationMs: number;
  imageRef: string | null;
  /** USD the final trajectory's model calls cost (footer totals); absent without a price. */
  costUsd?: number;
}

/** What the scheduler tells its caller as work moves; the CLI turns these into a bar or lines. */
export type HarvestEvent =
  | { type: 'planned'; total: number; skipped: number; rejected: number }
  | { type: 'started'; key: string; try: number }
  | { type: 'retry'; key: string; code: string; delayMs: number }
  | { type: 'finished'; outcome: AttemptOutcome };
