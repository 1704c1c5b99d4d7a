import { InvalidArgumentError } from 'commander';
import { parseSize } from '../core/size.js';

/** Option parsers shared by every command: each says what it expected and what it found. */
export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, found "${value}"`);
  return n;
}

export function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, found "${value}"`);
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, found "${value}"`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number ≥ 0, found "${value}"`);
  return n;
}

export function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, found "${value}"`);
  return n;
}

/** A size such as 20GB or 512MiB, in bytes. */
export function size(value: string): number {
  try {
    return parseSize(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag, in milliseconds: `500ms`, `30s`, `2m`, `1h`. A bare number is read in
 * `bareUnit`, the unit the flag had before units were accepted, so old command lines
 * keep working (`--grace 30` is 30 s, `--lock-duration 30000` is 30 000 ms).
 */
export function duration(bareUnit: 'ms' | 's'): (value: string) => number {
  return (value: string) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
    if (!match) throw new InvalidArgumentError(`expected a duration such as 500ms, 30s or 2m (a bare number is ${bareUnit === 's' ? 'seconds' : 'milliseconds'}), found "${value}"`);
    return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? bareUnit]!);
  };
}
