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
