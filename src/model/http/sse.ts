/**
 * The `data:` payloads of a server-sent event stream, one per event (multi-line data
 * joined with newlines); comments and other fields are skipped. Stops at the end of
 * the body.
 */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      buffer = buffer.replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = eventData(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) yield data;
      }
      if (done) {
        const data = eventData(buffer);
        if (data !== undefined) yield data;
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function eventData(event: string): string | undefined {
  const lines = event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  return lines.length ? lines.join('\n') : undefined;
}
