import { createHash } from 'node:crypto';
import type { ChatCompletion } from '../model/index.js';
import { formatProblem } from './formats/index.js';
import type { FormatProblem, ParsedTurn } from './formats/index.js';

/** What is kept of a part cut for length: its start, in the record and in the conversation. */
const KEPT_BYTES = 4096;

/** The full size and hash of a part of an answer that was cut. */
export interface CutPart {
  bytes: number;
  sha256: string;
}

/** An answer with every part longer than the limit cut to its start, and what was cut. */
export interface CutAnswer {
  completion: ChatCompletion;
  /** The text, when it was cut. */
  text?: CutPart;
  /** By index in `toolCalls`: the arguments that were cut. */
  calls: Map<number, CutPart>;
}

/**
 * Cut the parts of an answer a run will not carry out because they are longer than
 * `maxBytes` (`max_tool_call_bytes`): each tool call's arguments, and the text (where CWM's
 * format reads its call). They are kept as their first 4 KiB, with their size and sha256,
 * so neither the trajectory nor the next request carries a hundred megabytes a model sent.
 */
export function cutLongAnswer(completion: ChatCompletion, maxBytes: number): CutAnswer {
  const calls = new Map<number, CutPart>();
  const toolCalls = completion.toolCalls.map((call, index) => {
    const cut = cutText(call.function.arguments, maxBytes);
    if (!cut) return call;
    calls.set(index, cut.part);
    return { ...call, function: { ...call.function, arguments: cut.kept } };
  });
  const text = cutText(completion.text, maxBytes);
  if (!text && calls.size === 0) return { completion, calls };
  return { completion: { ...completion, text: text?.kept ?? completion.text, toolCalls }, ...(text ? { text: text.part } : {}), calls };
}

/**
 * The turn as it is carried out: a call whose arguments were cut is not run (its problem
 * says why); when the format reads its call from the text and the text was cut, the whole
 * turn is that problem.
 */
export function refuseCutCalls(turn: ParsedTurn, cut: CutAnswer, maxBytes: number, callsInText: boolean): ParsedTurn {
  if (callsInText && cut.text) {
    return { calls: [], problem: tooLong(`the answer is ${cut.text.bytes} bytes`, maxBytes, 'no tool call in it was carried out') };
  }
  if (cut.calls.size === 0) return turn;
  return {
    ...turn,
    calls: turn.calls.map((call, index) => {
      const part = cut.calls.get(index);
      if (!part) return call;
      return { ok: false, ...(call.id !== undefined ? { id: call.id } : {}), name: call.name, problem: tooLong(`the arguments of this ${call.name} call are ${part.bytes} bytes`, maxBytes, 'it was not carried out') };
    }),
  };
}

function tooLong(what: string, maxBytes: number, outcome: string): FormatProblem {
  return formatProblem(`${what}, more than the ${maxBytes} bytes a tool call may have (max_tool_call_bytes); ${outcome}. Make the change in smaller pieces.`);
}

function cutText(text: string, maxBytes: number): { kept: string; part: CutPart } | undefined {
  // A string of n UTF-16 units is at most 3n bytes: most answers are measured without encoding them.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return undefined;
  let end = Math.min(KEPT_BYTES, bytes.length);
  // Back off to a character boundary: never keep half a UTF-8 character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return { kept: bytes.subarray(0, end).toString('utf8'), part: { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}
