import { createParser, type ParseError } from 'eventsource-parser';
import { InvalidResponseError, StreamIdleError } from '../errors.js';
import { tooLarge } from './read-body.js';

type Context = Record<string, string>;

/** One server-sent event: its `event:` name when it has one, and its data (several `data:` lines joined by `\n`). */
export interface StreamEvent {
  event?: string;
  data: string;
}

export interface StreamBounds {
  /** Bytes of the whole stream (decompressed); one event can be no larger. */
  maxBytes: number;
  /** The longest wait for the next event or comment. */
  idleMs: number;
}

/**
 * The events of a server-sent event stream, parsed by eventsource-parser (every line
 * ending of the spec, split anywhere: inside `\r\n`, inside `data:`, inside a UTF-8
 * character). Bounded before anything is buffered: past `maxBytes` the stream is refused
 * (ResponseTooLargeError), and when no event nor comment arrives for `idleMs` it is given
 * up (StreamIdleError), so a stream with no event boundary cannot outlive its deadlines.
 * Ends with the body; an event whose closing blank line never came is dropped, as the
 * spec and the official SDKs drop it. Leaving early (a `break`) drops the connection.
 */
export async function* readEvents(response: Response, bounds: StreamBounds, context: Context): AsyncGenerator<StreamEvent> {
  const reader = response.body?.getReader();
  if (!reader) throw new InvalidResponseError('model endpoint sent an empty stream', { context });
  const decoder = new TextDecoder();
  const ready: StreamEvent[] = [];
  let progressed = false;
  let overflow = false;
  const parser = createParser({
    onEvent: (message) => ready.push(message.event === undefined ? { data: message.data } : { event: message.event, data: message.data }),
    onComment: () => { progressed = true; },
    onError: (error: ParseError) => { if (error.type === 'max-buffer-size-exceeded') overflow = true; },
    maxBufferSize: bounds.maxBytes,
  });
  let bytes = 0;
  let lastEventAt = performance.now();
  try {
    for (;;) {
      const { value, done } = await readWithin(reader, lastEventAt + bounds.idleMs - performance.now(), bounds.idleMs, context);
      if (done) {
        parser.feed(decoder.decode());
        yield* ready.splice(0);
        return;
      }
      bytes += value.byteLength;
      if (bytes > bounds.maxBytes) throw tooLarge(`streamed more than that (${bytes} bytes read)`, bounds.maxBytes, context);
      parser.feed(decoder.decode(value, { stream: true }));
      if (overflow) throw tooLarge('streamed one event larger than that', bounds.maxBytes, context);
      if (ready.length || progressed) lastEventAt = performance.now();
      progressed = false;
      yield* ready.splice(0);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The next chunk, or a StreamIdleError once `waitMs` has passed without one. */
async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, waitMs: number, idleMs: number, context: Context): Promise<ReadableStreamReadResult<Uint8Array>> {
  const read = reader.read();
  // The read may fail after the idle deadline won the race (the body is cancelled then): not an unhandled rejection.
  read.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StreamIdleError(`the model endpoint's stream sent no event for ${idleMs} ms (stream_idle_timeout_s, --stream-idle-timeout)`, { context: { ...context, idle_ms: idleMs } })),
      Math.max(0, waitMs),
    );
  });
  try {
    return await Promise.race([read, idle]);
  } finally {
    clearTimeout(timer);
  }
}
