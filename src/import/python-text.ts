import { ImportError } from './errors.js';

/** Python's `str.isspace()` characters: what `str.strip()` removes (JavaScript's trim() differs on \x1c-\x1f and \ufeff). */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** `text.strip()` as Python computes it. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/**
 * `re.findall(pattern, text, re.DOTALL)` for the action regexes peers configure: every
 * match's first group (the whole match when the pattern has none). The pattern is the
 * peer's own, read from its file: one JavaScript cannot compile is an ImportError naming
 * where it came from.
 */
export function pyFindAll(pattern: string, text: string, where: string): string[] {
  let regex: RegExp;
  try {
    // Python's named groups (?P<name>…) and back-references (?P=name) in JavaScript's spelling.
    regex = new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), 'gs');
  } catch (cause) {
    throw new ImportError(`${where}: expected a regular expression JavaScript can run, found ${JSON.stringify(pattern)}: ${(cause as Error).message}`, { cause });
  }
  return [...text.matchAll(regex)].map((m) => m[1] ?? m[0]);
}

/** A time the source wrote as Unix seconds (Python's time.time()) or as text, as an ISO string; undefined otherwise. */
export function timeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value * 1000).toISOString();
  return typeof value === 'string' && value !== '' ? value : undefined;
}
