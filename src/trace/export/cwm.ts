import { encodeLlama3 } from '../../agent/formats/cwm/index.js';
import type { CwmFrame, CwmTrace } from './cwm-frames.js';
import { pyJsonDumps } from './py-json.js';

/**
 * CWM's trace tokens and their ids (PROMPTING_GUIDE.md, "Reserved Tokens" and "Trace
 * Prediction Tokens"; cwm/text/tokenizers.py, CWMInstructTokenizer).
 */
export const CWM = {
  begin: '<|begin_of_text|>',
  end: '<|end_of_text|>',
  context: '<|trace_context_start|>',
  frame: '<|frame_sep|>',
  action: '<|action_sep|>',
  return: '<|return_sep|>',
  call: '<|call_sep|>',
  line: '<|line_sep|>',
  exception: '<|exception_sep|>',
  arg: '<|arg_sep|>',
} as const;

export const CWM_TOKEN_IDS: Readonly<Record<string, number>> = {
  [CWM.begin]: 128000, [CWM.end]: 128001, [CWM.frame]: 128100, [CWM.action]: 128101, [CWM.return]: 128102,
  [CWM.call]: 128103, [CWM.line]: 128104, [CWM.exception]: 128105, [CWM.arg]: 128106, [CWM.context]: 128107,
};

const EVENT_TOKEN: Record<CwmFrame['event'], string> = { call: CWM.call, line: CWM.line, return: CWM.return, exception: CWM.exception };

/** A piece of the token sequence: a special token, or ordinary text (encoded on its own, as the builder encodes each piece). */
type Piece = { special: string } | { text: string };

/**
 * The pieces of a trace as CWM's demo prompt builder puts them together (demos/cwmdbg.py,
 * `CWMDebugger._step`): begin of text, context start, the source context, a frame
 * separator; per frame its event token, for call and line frames `json.dumps(locals)`, the
 * action separator, the source line, for return and exception frames the arg separator and
 * `json.dumps(value)`, and a frame separator; then the end of text once the entry scope was
 * left (what the model predicts there, `CWMDebugger.done`).
 */
function piecesOf(trace: Pick<CwmTrace, 'context' | 'frames' | 'complete'>): Piece[] {
  const pieces: Piece[] = [{ special: CWM.begin }, { special: CWM.context }, { text: trace.context }, { special: CWM.frame }];
  for (const frame of trace.frames) {
    pieces.push({ special: EVENT_TOKEN[frame.event] });
    if (frame.event === 'call' || frame.event === 'line') pieces.push({ text: pyJsonDumps(frame.locals ?? {}) });
    pieces.push({ special: CWM.action }, { text: frame.source });
    if (frame.event === 'return' || frame.event === 'exception') pieces.push({ special: CWM.arg }, { text: pyJsonDumps(frame.value ?? '') });
    pieces.push({ special: CWM.frame });
  }
  if (trace.complete) pieces.push({ special: CWM.end });
  return pieces;
}

/** The trace as text: the builder's tokens decoded (special tokens as their strings). */
export function formatCwmTrace(trace: Pick<CwmTrace, 'context' | 'frames' | 'complete'>): string {
  return piecesOf(trace).map((p) => ('special' in p ? p.special : p.text)).join('');
}

/**
 * The trace as token ids: special tokens by CWM's numbers, text by Llama 3's BPE (the
 * inference docs/model-agents.md explains; CWM's own tokenizer file is not public). Unlike
 * the text, the ids cannot mistake a `<|…|>` string in source or values for a token.
 */
export function cwmTraceTokens(trace: Pick<CwmTrace, 'context' | 'frames' | 'complete'>): number[] {
  const ids: number[] = [];
  for (const piece of piecesOf(trace)) {
    if ('special' in piece) ids.push(CWM_TOKEN_IDS[piece.special]!);
    else for (const id of encodeLlama3(piece.text)) ids.push(id);
  }
  return ids;
}
