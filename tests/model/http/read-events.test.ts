import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, InvalidResponseError, ResponseTooLargeError, StreamIdleError } from '../../../src/model/index.js';
import { readEvents, type StreamEvent } from '../../../src/model/http/read-events.js';
import { completion, startChatServer, type ChatServer } from '../support/chat-server.js';
import { asStreaming } from '../support/endpoints.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ROOMY = { maxBytes: 1 << 20, idleMs: 5_000 };

/** A response whose body arrives in exactly these byte pieces. */
function responseOf(pieces: Uint8Array[], cancelled?: { value: boolean }): Response {
  let i = 0;
  return new Response(new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
    cancel() {
      if (cancelled) cancelled.value = true;
    },
  }));
}

/** `text` as UTF-8, cut at these byte offsets. */
function cutAt(text: string, offsets: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const bounds = [0, ...offsets, bytes.length];
  return bounds.slice(1).map((end, k) => bytes.slice(bounds[k], end));
}

async function collect(response: Response, bounds = ROOMY): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of readEvents(response, bounds, { url: 'test' })) events.push(event);
  return events;
}

describe('readEvents()', () => {
  const text = ': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line one\ndata: line two\n\ndata:{"é":"ü"}\n\n';
  const expected = [{ data: '{"a":1}' }, { event: 'x', data: 'line one\nline two' }, { data: '{"é":"ü"}' }];

  it('yields each event whatever the chunking, with CRLF line ends, multi-line data and comments', async () => {
    for (const size of [1, 3, 7, 1_000]) {
      const bytes = new TextEncoder().encode(text);
      const offsets = Array.from({ length: Math.ceil(bytes.length / size) - 1 }, (_, k) => (k + 1) * size);
      expect(await collect(responseOf(cutAt(text, offsets))), `pieces of ${size} bytes`).toEqual(expected);
    }
  });

  it('keeps an event whole when a chunk ends inside `\\r\\n`, inside `data:` or inside a UTF-8 character', async () => {
    const at = (needle: string, plus: number) => Buffer.from(text).indexOf(needle) + plus;
    expect(await collect(responseOf(cutAt(text, [at('{"a":1}\r\n', 8)])))).toEqual(expected); // between \r and \n
    expect(await collect(responseOf(cutAt(text, [at('data: line one', 2)])))).toEqual(expected); // inside `data:`
    expect(await collect(responseOf(cutAt(text, [at('é', 1)])))).toEqual(expected); // between é's two bytes
  });

  it('keeps a multi-data event with CRLF endings whole when a chunk ends between `\\r` and `\\n`', async () => {
    const crlf = 'event: message_delta\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
    const offsets = [...crlf.matchAll(/\r/g)].map((m) => m.index! + 1);
    for (const offset of offsets) {
      expect(await collect(responseOf(cutAt(crlf, [offset]))), `cut after byte ${offset}`).toEqual([{ event: 'message_delta', data: '{"a":\n1}' }]);
    }
    expect(await collect(responseOf(cutAt(crlf, offsets)))).toEqual([{ event: 'message_delta', data: '{"a":\n1}' }]);
  });

  it('drops an event whose blank line never came, as the spec and the SDKs do', async () => {
    expect(await collect(responseOf(cutAt('data: 1\n\ndata: cut off', [])))).toEqual([{ data: '1' }]);
  });

  it('refuses a stream past its byte limit before buffering more, and one event larger than it', async () => {
    const many = Array.from({ length: 100 }, () => new TextEncoder().encode(`data: ${'x'.repeat(90)}\n\n`));
    const error = await collect(responseOf(many), { maxBytes: 5_000, idleMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ code: 'MODEL_RESPONSE_TOO_LARGE', kind: 'infrastructure', context: { limit_bytes: 5_000 } });
    const endless = Array.from({ length: 100 }, () => new TextEncoder().encode('y'.repeat(90)));
    const unbounded = await collect(responseOf([new TextEncoder().encode('data: '), ...endless]), { maxBytes: 5_000, idleMs: 5_000 }).catch((e: unknown) => e);
    expect(unbounded).toBeInstanceOf(ResponseTooLargeError);
  });

  it('gives up a stream that sends bytes but no event boundary for longer than its idle time', async () => {
    const trickle = await startTrickle(30);
    try {
      const started = performance.now();
      const error = await collect(await fetch(trickle.url), { maxBytes: 1 << 20, idleMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamIdleError);
      expect(error).toMatchObject({ code: 'MODEL_STREAM_IDLE', context: { idle_ms: 300 } });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await trickle.close();
    }
  });

  it('drops the connection when the reader leaves early', async () => {
    const cancelled = { value: false };
    const body = responseOf(cutAt('data: 1\n\ndata: 2\n\n', [10]), cancelled);
    for await (const _ of readEvents(body, ROOMY, {})) break;
    expect(cancelled.value).toBe(true);
  });
});

/** A server that writes one byte of an endless `data:` line every `everyMs`. */
async function startTrickle(everyMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const http: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: ');
    const timer = setInterval(() => res.write('x'), everyMs);
    timers.add(timer);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearInterval(timer);
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}

describe('ChatClient.complete() with stream: true', () => {
  const answer = () => ({ body: completion({ content: 'partial answer that goes on', usage: { prompt_tokens: 5, completion_tokens: 5 } }) });

  it('retries a stream the server cut off, and records the complete answer', async () => {
    const cut = asStreaming(answer, 0);
    server = await startChatServer([(r) => ({ ...cut(r), sse: cut(r).sse!.slice(0, 4), cut: true }), cut]);
    const result = await new ChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5_000, maxRetries: 1, baseDelayMs: 10, stream: true }).complete({ messages: [{ role: 'user', content: 'hi' }] });
    expect(result).toMatchObject({ text: 'partial answer that goes on', retries: 1, usage: { prompt_tokens: 5, completion_tokens: 5 } });
  });

  it('refuses a stream that ends without a chunk, and one that streams an error', async () => {
    server = await startChatServer([{ sse: ['[DONE]'] }, { sse: ['{"error":{"message":"out of memory"}}'] }]);
    const c = new ChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5_000, maxRetries: 0, stream: true });
    await expect(c.complete({ messages: [] })).rejects.toThrow(/closed the stream without a chunk/);
    const error = await c.complete({ messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain('out of memory');
  });
});
