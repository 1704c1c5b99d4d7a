/**
 * Python's `json.dumps` with its defaults (`ensure_ascii=True`, separators `", "` and
 * `": "`), for the values CWM's trace builder dumps: strings, and objects of strings
 * (demos/cwmdbg.py, `json.dumps(frame.local_vars)` and `json.dumps(frame.arg)`).
 */
export function pyJsonDumps(value: string | null | Readonly<Record<string, string>>): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pyJsonString(value);
  const items = Object.entries(value).map(([k, v]) => `${pyJsonString(k)}: ${pyJsonString(v)}`);
  return `{${items.join(', ')}}`;
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A string as `json.encoder.py_encode_basestring_ascii` writes it: `"` and `\` escaped,
 * the short escapes, and every code unit outside space..tilde as `\uXXXX` in lower-case hex
 * (a character past U+FFFF is its two surrogates, as Python writes it).
 */
export function pyJsonString(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(start, i) + (SHORT[text[i]!] ?? `\\u${code.toString(16).padStart(4, '0')}`);
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}
