import { createReadStream } from 'node:fs';
import { lineLimit, LineTooLongError } from './limit.js';

/** One line of a file, without its line ending, and its 1-based number. */
export interface NumberedLine {
  text: string;
  number: number;
  /** Set (and `text` empty) for a line past the limit when `tooLong: 'yield'`: its bytes were passed over, not kept. */
  tooLong?: LineTooLongError;
}

export interface ReadLinesOptions {
  /** The longest line accepted, in bytes, its line ending left out (default: lineLimit()). */
  maxLineBytes?: number;
  /**
   * A line past the limit: `throw` (default) stops the read with a LineTooLongError;
   * `yield` passes over its bytes up to the next newline and yields it with `tooLong`
   * set, so a reader of independent records can report that one and go on.
   */
  tooLong?: 'throw' | 'yield';
  signal?: AbortSignal;
}

/**
 * The lines of a file as UTF-8 text, split on `\n` (a `\r` before it is dropped, as
 * readline does), every line numbered, empty ones included. Memory stays within the
 * limit plus one read chunk: a line that grows past the limit is refused before more of
 * it is buffered. Node's readline has no such bound (a 600 MB line ends in
 * `RangeError: Invalid string length`).
 */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<NumberedLine> {
  const limit = options.maxLineBytes ?? lineLimit();
  const stream = createReadStream(path, { signal: options.signal });
  let parts: Buffer[] = [];
  let pending = 0;
  let number = 0;
  /** Inside a line past the limit (tooLong: 'yield'): its bytes are dropped up to the next newline. */
  let skipping: LineTooLongError | undefined;
  const take = (last: Buffer): NumberedLine => {
    const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last], pending + last.length);
    parts = [];
    pending = 0;
    number += 1;
    return { text: bytes.toString('utf8', 0, endOfLine(bytes)), number };
  };
  const refuse = (): LineTooLongError => {
    const error = new LineTooLongError(path, number + 1, limit);
    if (options.tooLong !== 'yield') throw error;
    parts = [];
    pending = 0;
    return error;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, from)) {
        if (skipping) {
          number += 1;
          yield { text: '', number, tooLong: skipping };
          skipping = undefined;
        } else if (lineLength(parts, pending, chunk.subarray(from, at)) > limit) {
          const error = refuse();
          number += 1;
          yield { text: '', number, tooLong: error };
        } else yield take(chunk.subarray(from, at));
        from = at + 1;
      }
      const rest = chunk.length - from;
      if (rest === 0 || skipping) continue;
      // One byte of slack: a `\r` ending a line of exactly the limit may arrive before its `\n`.
      if (pending + rest > limit + 1) skipping = refuse();
      else {
        parts.push(chunk.subarray(from));
        pending += rest;
      }
    }
    if (skipping) yield { text: '', number: number + 1, tooLong: skipping };
    else if (pending > limit) yield { text: '', number: number + 1, tooLong: refuse() };
    else if (pending > 0) yield take(Buffer.alloc(0));
  } finally {
    stream.destroy();
  }
}

/** A line's length without a `\r` ending it, from what is buffered and the piece that ends it. */
function lineLength(parts: Buffer[], pending: number, last: Buffer): number {
  const total = pending + last.length;
  const final = last.length > 0 ? last[last.length - 1] : parts.at(-1)?.[parts.at(-1)!.length - 1];
  return final === 13 ? total - 1 : total;
}

function endOfLine(bytes: Buffer): number {
  return bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
}
