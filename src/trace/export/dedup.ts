import { createHash } from 'node:crypto';
import type { Invocation, TraceFunction } from '../schema.js';

/** Near-duplicate key: the same function source called with the same argument reprs. */
export function invocationKey(fn: TraceFunction | undefined, invocation: Invocation): string {
  const args = Object.entries(invocation.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(fn?.source ?? invocation.function).update('\0').update(JSON.stringify(args)).digest('hex');
}

/** Remembers keys seen; `isNew` is true the first time a key is offered. */
export class Deduplicator {
  private readonly seen = new Set<string>();
  dropped = 0;

  isNew(fn: TraceFunction | undefined, invocation: Invocation): boolean {
    const key = invocationKey(fn, invocation);
    if (this.seen.has(key)) {
      this.dropped += 1;
      return false;
    }
    this.seen.add(key);
    return true;
  }
}
