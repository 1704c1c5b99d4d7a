import { TaskError } from '../core/errors.js';
import { TraceLimitsSchema, type TraceLimits } from './schema.js';

/** Defaults chosen to keep a test suite's trace under ~15x its untraced time (see bench/trace.ts). */
export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  max_events: 1000,
  max_invocations: 20,
  repr_len: 200,
  max_bytes: 16 * 1024 * 1024,
  repr_ms: 50,
  wall_s: 600,
  seed: 0,
  include_tests: false,
};

/** Defaults with overrides applied, checked: a bad limit names the field and what was expected. */
export function resolveTraceLimits(overrides: Partial<TraceLimits> = {}): TraceLimits {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const parsed = TraceLimitsSchema.safeParse({ ...DEFAULT_TRACE_LIMITS, ...defined });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TaskError('TRACE_LIMITS_INVALID', `trace limits: field ${issue.path.join('.')}: ${issue.message}`);
}
