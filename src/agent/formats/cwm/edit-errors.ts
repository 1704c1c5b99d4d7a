/**
 * What CWM's edit plugin prints when Python itself fails under it: the traceback of an
 * uncaught exception, as Python 3.11 (forager's images) prints it for the plugin CWM runs
 * as /swerl-plugins/edit.py (facebookresearch/cwm at 7930e02, cwm/rl/swerl/plugins/edit.py;
 * the path is default_configs.PLUGIN_BIND_TARGET). Checked against the plugin run in
 * forager's base image: tests/fixtures/cwm/edit-tracebacks.json.
 */
const PLUGIN = '/swerl-plugins/edit.py';
const HEAD = `Traceback (most recent call last):\n  File "${PLUGIN}", line 120, in <module>\n    success, feedback = main(command)\n                        ^^^^^^^^^^^^^\n`;

/** `open(path, "r")` on a directory (the plugin checks only that the path exists). */
export function directoryTraceback(path: string): string {
  return `${HEAD}  File "${PLUGIN}", line 61, in main\n    with open(path, "r") as f:\n         ^^^^^^^^^^^^^^^\nIsADirectoryError: [Errno 21] Is a directory: ${pyRepr(path)}\n`;
}

/** `f.read()` of a file that is not UTF-8 (the session's locale): the decoder's error. */
export function decodeTraceback(message: string): string {
  return `${HEAD}  File "${PLUGIN}", line 62, in main\n    file_content = f.read()\n                   ^^^^^^^^\n  File "<frozen codecs>", line 322, in decode\nUnicodeDecodeError: ${message}\n`;
}

/**
 * The message of the UnicodeDecodeError CPython's UTF-8 decoder raises for `bytes`, or
 * undefined when they are valid UTF-8: the first bad sequence, `byte 0xNN in position P`
 * or `bytes in position P-Q`, and why (invalid start byte, invalid continuation byte,
 * unexpected end of data), as Objects/stringlib/codecs.h decides it.
 */
export function utf8DecodeError(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (need === 0) return describe(bytes, i, i + 1, 'invalid start byte');
    let good = 1;
    for (; good <= need; good += 1) {
      if (i + good >= bytes.length) return describe(bytes, i, bytes.length, 'unexpected end of data');
      if (!continues(lead, good, bytes[i + good]!)) return describe(bytes, i, i + good, 'invalid continuation byte');
    }
    i += need + 1;
  }
  return undefined;
}

/** Whether `byte` may be the `n`th byte of a sequence led by `lead` (no overlong forms, surrogates, or code points past U+10FFFF). */
function continues(lead: number, n: number, byte: number): boolean {
  if (n === 1) {
    if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
    if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
    if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
    if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  }
  return byte >= 0x80 && byte <= 0xbf;
}

function describe(bytes: Uint8Array, start: number, end: number, reason: string): string {
  const where = end - start === 1 ? `byte 0x${bytes[start]!.toString(16).padStart(2, '0')} in position ${start}` : `bytes in position ${start}-${end - 1}`;
  return `'utf-8' codec can't decode ${where}: ${reason}`;
}

/** Python's "Other" and "Separator" characters, which `repr` escapes (str.isprintable is false for them, the space aside). */
const UNPRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's `repr` of a str: quotes chosen as Python chooses them, escapes where it escapes. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x7f || char === ' ' || !UNPRINTABLE.test(char)) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}
