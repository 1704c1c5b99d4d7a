import { InfrastructureError } from '../core/errors.js';

/** Default free space the engine's data root must keep before new work is taken: 5 GiB. */
export const DEFAULT_MIN_FREE_MB = 5120;

/** The threshold from FORAGER_MIN_FREE_MB, else the default; 0 turns the guard off. */
export function minFreeBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FORAGER_MIN_FREE_MB;
  if (raw === undefined || raw === '') return DEFAULT_MIN_FREE_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new InfrastructureError('BAD_MIN_FREE', `FORAGER_MIN_FREE_MB must be a number of MiB (0 turns the guard off), got ${JSON.stringify(raw)}`);
  }
  return Math.round(mb * 1024 * 1024);
}
