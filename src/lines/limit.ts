import { constants } from 'node:buffer';
import { TaskError } from '../errors/index.js';

/**
 * The longest line (and JSON document) forager reads by default: 128 MiB. Far above
 * anything forager writes (an observation is capped at `max_output_bytes` per stream),
 * far below what V8 can hold as one string (~512 MiB), so a hostile or broken input is
 * refused with its file and line instead of crashing the process.
 */
export const DEFAULT_MAX_LINE_BYTES = 128 * 1024 * 1024;

/** The operator's override, in bytes: `FORAGER_MAX_LINE_BYTES=268435456`. */
export const MAX_LINE_ENV = 'FORAGER_MAX_LINE_BYTES';

/** The limit in force: $FORAGER_MAX_LINE_BYTES when set, else the default; never above what one string can hold. */
export function lineLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_LINE_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_LINE_BYTES;
  const value = Number(raw);
  // A UTF-8 byte may decode to one UTF-16 unit: the string limit bounds the byte limit.
  if (!Number.isSafeInteger(value) || value < 1 || value > constants.MAX_STRING_LENGTH) {
    throw new TaskError('CONFIG_INVALID', `$${MAX_LINE_ENV}: expected a whole number of bytes from 1 to ${constants.MAX_STRING_LENGTH}, found ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A line longer than the limit: named by file and line number, never buffered past the limit. */
export class LineTooLongError extends TaskError {
  constructor(readonly path: string, readonly line: number, readonly limit: number) {
    super('LINE_TOO_LONG', `${path}:${line}: line longer than ${describeBytes(limit)} (the limit; raise it with $${MAX_LINE_ENV})`, { context: { file: path, line, limit } });
  }
}

/** A whole-document input (a JSON file) larger than the limit. */
export class InputTooLargeError extends TaskError {
  constructor(readonly path: string, readonly size: number, readonly limit: number) {
    super('INPUT_TOO_LARGE', `${path}: ${describeBytes(size)}, larger than ${describeBytes(limit)} (the limit for one document; raise it with $${MAX_LINE_ENV})`, { context: { file: path, bytes: size, limit } });
  }
}

function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
