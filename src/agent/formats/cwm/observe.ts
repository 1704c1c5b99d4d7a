import { capturedBytes } from '../../../core/capture.js';
import type { Action, Observation, StreamCapture } from '../../../trajectory/schema.js';
import { fillPython, SUBMISSION_FEEDBACK_PROMPT } from './prompts.js';
import { pyStrip } from './template.js';

/** CWM's session gives up on a command whose output passes 480 KB (AsyncSession.max_buffer_size). */
export const CWM_MAX_OUTPUT_BYTES = 480 * 1024;
/** The session's sentinel line (`<<exit>1` and a newline) is read into the same buffer as the output. */
const SENTINEL_BYTES = '<<exit>1\n'.length;

const FRESH = ' A fresh session has started with the current working directory reset to default.';
export const SESSION_SENTENCES = {
  exit: `The current session has terminated unexpectedly.${FRESH}`,
  timeout: `The current session has terminated due to timeout.${FRESH}`,
  tooLong: `The current session has terminated because your previous command produced too much output.${FRESH}`,
} as const;

/** What CWM's session read for a command (SessionOutput): the merged output, or why it gave up. */
export interface SessionRead {
  error: 'none' | 'timeout' | 'exit' | 'too_long';
  output: string;
  exitCode: number;
}

/**
 * UTF-8 decoding that drops what is not UTF-8, as Python's `bytes.decode(errors="ignore")`
 * (the session decodes its buffer so): a maximal invalid subpart is dropped, not replaced.
 */
export function decodeIgnoringErrors(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  if (!text.includes('\ufffd')) return text;
  // Keep the U+FFFD characters the bytes really hold (EF BF BD), drop the decoder's own.
  let out = '';
  let offset = 0;
  for (const ch of text) {
    if (ch === '\ufffd') {
      const real = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd;
      if (real) {
        out += ch;
        offset += 3;
      } else offset += invalidLength(bytes, offset);
      continue;
    }
    out += ch;
    offset += Buffer.byteLength(ch, 'utf8');
  }
  return out;
}

/** Bytes of the maximal invalid subpart at `at` (WHATWG and Python agree on it). */
function invalidLength(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
  let n = 1;
  for (; n <= need && at + n < bytes.length; n += 1) {
    const b = bytes[at + n]!;
    const lo = n === 1 && lead === 0xe0 ? 0xa0 : n === 1 && lead === 0xf0 ? 0x90 : 0x80;
    const hi = n === 1 && lead === 0xed ? 0x9f : n === 1 && lead === 0xf4 ? 0x8f : 0xbf;
    if (b < lo || b > hi) break;
  }
  return n;
}

function streamBytes(capture: StreamCapture): Buffer {
  const { head, tail } = capturedBytes(capture);
  return tail.length ? Buffer.concat([head, tail]) : head;
}

/**
 * A recorded observation as CWM's session would have read it: stdout with stderr after it
 * (CWM's shell writes both to one pipe; forager keeps them apart, so output that interleaved
 * the two streams reads here as all of stdout, then all of stderr), decoded as CWM decodes.
 */
export function sessionRead(observation: Observation): SessionRead {
  const exitCode = observation.exit_code ?? -1;
  if (observation.timed_out) return { error: 'timeout', output: '', exitCode: -1 };
  if (observation.session_restarted) return { error: 'exit', output: '', exitCode: -1 };
  if (observation.stdout.bytes + observation.stderr.bytes + SENTINEL_BYTES > CWM_MAX_OUTPUT_BYTES) return { error: 'too_long', output: '', exitCode: -1 };
  const merged = Buffer.concat([streamBytes(observation.stdout), streamBytes(observation.stderr)]);
  return { error: 'none', output: decodeIgnoringErrors(merged), exitCode };
}

/** The bash tool's answer (tools.py bash_feedback_default): the output, or the session's sentence. */
export function bashFeedback(read: SessionRead): { output: string; success: boolean } {
  switch (read.error) {
    case 'none':
      return { output: read.output, success: true };
    case 'timeout':
      return { output: SESSION_SENTENCES.timeout, success: false };
    case 'too_long':
      return { output: SESSION_SENTENCES.tooLong, success: false };
    default:
      return { output: SESSION_SENTENCES.exit, success: false };
  }
}

/** The submit tool's answer (tools.py submit_diff_file) to `cat PATH`: the patch, or why not. */
export function submitFeedback(result: string | undefined, read: SessionRead): { output: string; success: boolean; patch?: string } {
  const path = pyStrip(result ?? '');
  if (read.error !== 'none' || read.exitCode !== 0) return { output: `Failed to submit ${path}. Make sure it exists and is readable.`, success: false };
  if (pyStrip(read.output) === '') return { output: `Failed to submit ${path}. It is an empty file.`, success: false };
  if (!read.output.startsWith('diff')) return { output: `Failed to submit ${path}. It is not a valid diff file.`, success: false };
  return { output: read.output, success: true, patch: read.output };
}

/**
 * The feedback text CWM's environment wraps in `<output>`: a tool's answer, or for a
 * successful submit the patch in `<submission>` with the review note.
 */
export function toolFeedback(action: Action, observation: Observation): { feedback: string; patch?: string } {
  const read = sessionRead(observation);
  if (action.tool === 'submit') {
    const submitted = submitFeedback(action.result, read);
    return submitted.success ? { feedback: fillPython(SUBMISSION_FEEDBACK_PROMPT, { pred_patch: submitted.output }), patch: submitted.patch } : { feedback: submitted.output };
  }
  if (action.tool === 'edit' || action.tool === 'create') {
    // The plugins' answer is what they printed through the session, whatever their exit code.
    return { feedback: read.error === 'none' ? read.output : '' };
  }
  return { feedback: bashFeedback(read).output };
}
