import { CommanderError } from 'commander';
import { ForagerError } from '../core/errors.js';
import type { Footer } from '../trajectory/schema.js';

/** Exit codes: 0 ok, 1 the job ran but reported failure, 2 bad input or usage, 3 infrastructure, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, infrastructure: 3, interrupted: 130 } as const;

/**
 * The one map from an error to an exit code: usage errors (commander's: unknown option,
 * missing argument, a flag value its parser refused) and task, agent or input errors 2,
 * an interrupt 130, infrastructure and forager's own bugs 3.
 */
export function exitCodeFor(error: unknown): number {
  // Commander ends with 0 for --help and --version; everything else it ends is a usage error.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  if (!(error instanceof ForagerError)) return EXIT.infrastructure;
  if (error.code === 'ABORTED') return EXIT.interrupted;
  return error.kind === 'infrastructure' ? EXIT.infrastructure : EXIT.badInput;
}

/** A run that ended: 0 when the agent ended normally, 1 for agent or task failures, 3 for infrastructure, 130 aborted. */
export function exitCodeForFooter(footer: Footer): number {
  if (footer.exit_status === 'aborted') return EXIT.interrupted;
  if (footer.failure_kind === 'infrastructure') return EXIT.infrastructure;
  return footer.failure_kind ? EXIT.failed : EXIT.ok;
}
