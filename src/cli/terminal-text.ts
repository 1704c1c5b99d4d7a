/**
 * Characters a terminal acts on instead of printing: C0 controls but tab and newline
 * (ESC starts OSC 52 clipboard writes, screen clears, title changes), DEL, C1 controls
 * (U+0080–U+009F: 8-bit CSI/OSC), and bidi overrides and isolates that reorder what is
 * shown (Trojan Source). Agent output is untrusted: shown escaped, never obeyed.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to write to a terminal: unsafe characters become visible escapes (\x1b, \u202e). */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** JSON text with the unsafe characters JSON.stringify leaves raw (C1, bidi) written as \uXXXX. */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
