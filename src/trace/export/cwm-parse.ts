import { TaskError } from '../../core/errors.js';
import { CWM } from './cwm.js';
import { UNCHANGED, type CwmFrame, type CwmTrace } from './cwm-frames.js';

export type ParsedCwmTrace = Pick<CwmTrace, 'context' | 'frames' | 'complete'>;

const EVENTS: [string, CwmFrame['event']][] = [[CWM.call, 'call'], [CWM.line, 'line'], [CWM.return, 'return'], [CWM.exception, 'exception']];

function invalid(at: number, expected: string): TaskError {
  return new TaskError('CWM_INVALID', `a CWM trace, at character ${at}: expected ${expected}`);
}

/** Whether frames (or the end) start at `at`: what must follow a frame separator. */
function framesStart(text: string, at: number): boolean {
  if (at === text.length) return true;
  if (text.startsWith(CWM.end, at)) return at + CWM.end.length === text.length;
  return text.startsWith(`${CWM.call}{`, at) || text.startsWith(`${CWM.line}{`, at)
    || text.startsWith(`${CWM.return}${CWM.action}`, at) || text.startsWith(`${CWM.exception}${CWM.action}`, at);
}

/** The index after the JSON string starting at `at` (`"…"`), or -1. */
function stringEnd(text: string, at: number): number {
  if (text[at] !== '"') return -1;
  for (let i = at + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** The index after the flat JSON object of strings starting at `at` (`{"k": "v", …}`), or -1. */
function objectEnd(text: string, at: number): number {
  if (text[at] !== '{') return -1;
  let i = at + 1;
  while (i < text.length) {
    if (text[i] === '}') return i + 1;
    if (text[i] === '"') {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else {
      i += 1;
    }
  }
  return -1;
}

/** The first occurrence of `token` from `at` after which `follows` holds, and where that is. */
function findSeparator(text: string, token: string, at: number, follows: (after: number) => number): { at: number; next: number } | undefined {
  for (let i = text.indexOf(token, at); i >= 0; i = text.indexOf(token, i + 1)) {
    const next = follows(i + token.length);
    if (next >= 0) return { at: i, next };
  }
  return undefined;
}

/**
 * Read a trace laid out as CWM's demo prompt builder lays it out (`formatCwmTrace`, or the
 * decoded tokens of demos/cwmdbg.py). Locals and values are JSON, read as JSON, so a
 * `<|…|>` string inside them is text; in the context and the source lines such a string is
 * taken as text only when what follows it is not a well-formed continuation (the token ids
 * are never ambiguous: `cwmTraceTokens`).
 */
export function parseCwmTrace(text: string): ParsedCwmTrace {
  const head = CWM.begin + CWM.context;
  if (!text.startsWith(head)) throw invalid(0, `${head} at the start`);
  const opening = findSeparator(text, CWM.frame, head.length, (after) => (framesStart(text, after) ? after : -1));
  if (!opening) throw invalid(head.length, `the source context closed by ${CWM.frame}`);
  const trace: ParsedCwmTrace = { context: text.slice(head.length, opening.at), frames: [], complete: false };
  let pos = opening.next;
  while (pos < text.length) {
    if (text.startsWith(CWM.end, pos) && pos + CWM.end.length === text.length) {
      trace.complete = true;
      break;
    }
    const found = EVENTS.find(([token]) => text.startsWith(token, pos));
    if (!found) throw invalid(pos, 'an event token (call, line, return, exception) or the end of text');
    const [token, event] = found;
    pos += token.length;
    const frame: CwmFrame = { event, source: '' };
    if (event === 'call' || event === 'line') {
      const end = objectEnd(text, pos);
      if (end < 0) throw invalid(pos, 'the locals as a JSON object');
      frame.locals = JSON.parse(text.slice(pos, end)) as Record<string, string>;
      pos = end;
    }
    if (!text.startsWith(CWM.action, pos)) throw invalid(pos, CWM.action);
    pos += CWM.action.length;
    if (event === 'call' || event === 'line') {
      const close = findSeparator(text, CWM.frame, pos, (after) => (framesStart(text, after) ? after : -1));
      if (!close) throw invalid(pos, `the source line closed by ${CWM.frame}`);
      frame.source = text.slice(pos, close.at);
      pos = close.next;
    } else {
      const close = findSeparator(text, CWM.arg, pos, (after) => {
        const end = stringEnd(text, after);
        return end >= 0 && text.startsWith(CWM.frame, end) && framesStart(text, end + CWM.frame.length) ? end : -1;
      });
      if (!close) throw invalid(pos, `the source line, ${CWM.arg} and the value as a JSON string`);
      frame.source = text.slice(pos, close.at);
      frame.value = JSON.parse(text.slice(close.at + CWM.arg.length, close.next)) as string;
      pos = close.next + CWM.frame.length;
    }
    trace.frames.push(frame);
  }
  return trace;
}

/**
 * The locals at frame `index` with `".."` resolved as CWM's debugger resolves them
 * (demos/cwmdbg.py, `CWMDebugger.local_vars`): a return or exception frame shows the frame
 * before it; each `".."` takes the last value written for that name, looking back no
 * further than the scope's last call or return frame.
 */
export function resolveCwmLocals(frames: readonly CwmFrame[], index: number): Record<string, string> {
  let at = index;
  if (frames[at]!.event === 'return' || frames[at]!.event === 'exception') at -= 1;
  const out = { ...(frames[at]?.locals ?? {}) };
  for (const [name, value] of Object.entries(out)) {
    if (value !== UNCHANGED) continue;
    for (let i = at - 1; i >= 0; i -= 1) {
      const earlier = frames[i]!.locals?.[name] ?? UNCHANGED;
      if (earlier !== UNCHANGED) {
        out[name] = earlier;
        break;
      }
      if (frames[i]!.event === 'call' || frames[i]!.event === 'return') break;
    }
  }
  return out;
}
