import { TaskError } from '../../core/errors.js';
import { sourceLine } from '../read.js';
import type { Invocation, TraceEvent, TraceFunction } from '../schema.js';

/** CWM's trace tokens (REFERENCE.md, "CWM's Python execution traces"). */
export const CWM = {
  context: '<|trace_context_start|>',
  frame: '<|frame_sep|>',
  call: '<|call_sep|>',
  line: '<|line_sep|>',
  return: '<|return_sep|>',
  exception: '<|exception_sep|>',
  action: '<|action_sep|>',
  arg: '<|arg_sep|>',
} as const;

const TOKEN_OF: Record<TraceEvent['event'], string> = {
  call: CWM.call, resume: CWM.call, line: CWM.line, return: CWM.return, yield: CWM.return, exception: CWM.exception,
};
/**
 * Text that could read as a token (`<|`) is escaped so every frame parses back: in free
 * text one backslash goes between `<` and `|` (`<\|`, and `<\\|` for a literal `<\|`);
 * in the locals' JSON `<` becomes `\u003c`.
 */
export function escapeText(text: string): string {
  return text.replace(/<(\\*)\|/g, (_m, slashes: string) => `<${slashes}\\|`);
}

export function unescapeText(text: string): string {
  return text.replace(/<(\\*)\\\|/g, (_m, slashes: string) => `<${slashes}|`);
}

function localsJson(locals: Record<string, string>): string {
  return JSON.stringify(locals).replace(/<\|/g, '\\u003c|');
}

/** Unchanged locals are written as this. */
export const UNCHANGED = '..';

/**
 * One invocation in CWM's format: the function's source as context, then per event its
 * token, every local seen so far as a JSON object of reprs (unchanged ones as ".."),
 * the action separator and the source line, and for return, yield and exception the arg
 * separator and the value; the frame ends with the frame separator. A generator's yield
 * is written as a return that is not the last event, its resume as a call that is not
 * the first: `parseCwm` reads them back as such.
 */
export function formatCwm(fn: TraceFunction | undefined, invocation: Invocation): string {
  const parts: string[] = [CWM.context, escapeText(fn?.source ?? ''), '\n'];
  const known: string[] = [];
  for (const event of invocation.events) {
    for (const name of Object.keys(event.locals)) if (!known.includes(name)) known.push(name);
    const locals = Object.fromEntries(known.map((name) => [name, event.locals[name] ?? UNCHANGED]));
    parts.push(TOKEN_OF[event.event], localsJson(locals), CWM.action, escapeText(sourceLine(fn, event.line)));
    if (event.value !== undefined) parts.push(CWM.arg, escapeText(event.value));
    parts.push('\n');
  }
  parts.push(CWM.frame);
  return parts.join('');
}

/** What `parseCwm` reads back: the source and each event (locals that changed, the source line, the value). */
export interface CwmFrame {
  source: string;
  events: { event: TraceEvent['event']; locals: Record<string, string>; source: string; value?: string }[];
}

const SPLIT = new RegExp(`(${[CWM.call, CWM.line, CWM.return, CWM.exception].map((t) => t.replace(/[|]/g, '\\|')).join('|')})`);

/** Parse one frame written by `formatCwm`. */
export function parseCwm(text: string): CwmFrame {
  if (!text.startsWith(CWM.context) || !text.endsWith(CWM.frame)) throw new TaskError('CWM_INVALID', 'a CWM trace frame: expected <|trace_context_start|> … <|frame_sep|>');
  const body = text.slice(CWM.context.length, -CWM.frame.length);
  const pieces = body.split(SPLIT);
  const source = unescapeText(pieces[0]!.replace(/\n$/, ''));
  const events: CwmFrame['events'] = [];
  for (let i = 1; i < pieces.length; i += 2) {
    const token = pieces[i]!;
    const rest = pieces[i + 1]!.replace(/\n$/, '');
    const action = rest.indexOf(CWM.action);
    if (action < 0) throw new TaskError('CWM_INVALID', `event ${events.length}: expected ${CWM.action}`);
    const all = JSON.parse(rest.slice(0, action)) as Record<string, string>;
    const after = rest.slice(action + CWM.action.length);
    const arg = token === CWM.line ? -1 : after.indexOf(CWM.arg);
    const locals = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== UNCHANGED));
    const first = events.length === 0;
    const last = i + 2 >= pieces.length;
    const event: TraceEvent['event'] = token === CWM.call ? (first ? 'call' : 'resume') : token === CWM.line ? 'line' : token === CWM.exception ? 'exception' : last ? 'return' : 'yield';
    const line = unescapeText(arg < 0 ? after : after.slice(0, arg));
    events.push({ event, locals, source: line, ...(arg >= 0 ? { value: unescapeText(after.slice(arg + CWM.arg.length)) } : {}) });
  }
  return { source, events };
}
