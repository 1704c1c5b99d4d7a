import type { Footer } from '../trajectory/schema.js';
import { EXIT } from './exit-codes.js';

export function summariseFooter(footer: Footer): string {
  const failure = footer.error ? ` (${footer.error.kind}: ${footer.error.code}: ${footer.error.message})` : '';
  return `${footer.exit_status}${failure} after ${footer.steps} steps in ${(footer.duration_ms / 1000).toFixed(1)} s`;
}

/** 0 when the agent ended normally, 1 for agent or task failures, 3 for infrastructure. */
export function exitCodeForFooter(footer: Footer): number {
  if (footer.exit_status === 'aborted') return EXIT.interrupted;
  if (footer.failure_kind === 'infrastructure') return EXIT.infrastructure;
  return footer.failure_kind ? EXIT.failed : EXIT.ok;
}
