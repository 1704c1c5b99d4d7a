import { ForagerError } from '../core/errors.js';

/** Exit codes: 0 ok, 1 the job ran but reported failure, 2 bad input, 3 infrastructure, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, infrastructure: 3, interrupted: 130 } as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof ForagerError)) return EXIT.infrastructure;
  if (error.code === 'ABORTED') return EXIT.interrupted;
  return error.kind === 'infrastructure' ? EXIT.infrastructure : EXIT.badInput;
}
