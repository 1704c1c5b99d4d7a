import { ResponseTooLargeError } from '../errors.js';

type Context = Record<string, string>;

/**
 * A response body as text, counted as it arrives: past `maxBytes` (decompressed) reading
 * stops and the answer is refused, so an endpoint cannot make the harvester buffer more.
 * A `content-length` already past the limit is refused before reading.
 */
export async function readBodyText(response: Response, maxBytes: number, context: Context): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`declares ${declared} bytes`, maxBytes, context);
  }
  const parts: string[] = [];
  await readChunks(response, maxBytes, context, (text) => parts.push(text));
  return parts.join('');
}

/**
 * At most `maxBytes` of an error answer's body, for its message; the rest is not read
 * (the connection is dropped). Never throws: an unreadable body reads as what came.
 */
export async function readErrorText(response: Response, maxBytes: number): Promise<string> {
  const parts: string[] = [];
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let bytes = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const room = maxBytes - bytes;
      bytes += value.byteLength;
      parts.push(decoder.decode(value.byteLength > room ? value.subarray(0, room) : value, { stream: true }));
      if (bytes >= maxBytes) {
        parts.push(` … (cut at ${maxBytes} bytes)`);
        break;
      }
    }
  } catch {
    // What came is the message.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return parts.join('');
}

/** Feed `onText` the body's text chunk by chunk, refusing it once past `maxBytes`. */
export async function readChunks(response: Response, maxBytes: number, context: Context, onText: (text: string) => void): Promise<number> {
  const reader = response.body?.getReader();
  if (!reader) return 0;
  const decoder = new TextDecoder();
  let bytes = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) throw tooLarge(`sent more than that (${bytes} bytes read)`, maxBytes, context);
      onText(decoder.decode(value, { stream: true }));
    }
    onText(decoder.decode());
    return bytes;
  } finally {
    // Drop the rest of an answer read in part (refused, or failed); a no-op once it ended.
    await reader.cancel().catch(() => undefined);
  }
}

export function tooLarge(what: string, maxBytes: number, context: Context): ResponseTooLargeError {
  return new ResponseTooLargeError(`the model endpoint's answer ${what}; the response limit is ${maxBytes} bytes (max_response_bytes, --max-response)`, { context: { ...context, limit_bytes: maxBytes } });
}
