import { TaskError } from '../core/errors.js';

/** A peer's file that does not hold what its format promises; the message names the file, the field and what was expected. */
export class ImportError extends TaskError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('IMPORT_INVALID', message, options);
  }
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** A required field of the given type, or an ImportError naming where it is missing. */
export function requireField<T>(where: string, record: Json, name: string, check: (v: unknown) => v is T, expected: string): T {
  const value = record[name];
  if (!check(value)) throw new ImportError(`${where}: field "${name}": expected ${expected}, found ${value === undefined ? 'nothing' : describeValue(value)}`);
  return value;
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
export const optionalString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const optionalNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
