/** A sandbox this close to its PID limit is taken to hold a fork bomb. */
export function atPidLimit(count: number | undefined, limit: number): boolean {
  return count !== undefined && count >= limit - Math.max(2, Math.floor(limit * 0.05));
}
