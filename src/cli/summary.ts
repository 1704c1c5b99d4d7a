import type { Footer } from '../trajectory/schema.js';

export { exitCodeForFooter } from './exit-codes.js';

export function summariseFooter(footer: Footer): string {
  const failure = footer.error ? ` (${footer.error.kind}: ${footer.error.code}: ${footer.error.message})` : '';
  return `${footer.exit_status}${failure} after ${footer.steps} steps in ${(footer.duration_ms / 1000).toFixed(1)} s`;
}
