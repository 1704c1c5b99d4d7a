import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, InvalidResponseError } from '../../src/model/index.js';
import { readSseData } from '../../src/model/http/sse.js';
import { completion, startChatServer, type ChatServer } from './support/chat-server.js';
import { asStreaming } from './support/endpoints.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function bodyOf(text: string, pieceSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += pieceSize) controller.enqueue(bytes.slice(i, i + pieceSize));
      controller.close();
    },
  });
}

describe('readSseData()', () => {
  it('yields each event\'s data whatever the chunking, with CRLF line ends, multi-line data and comments', async () => {
    const text = ': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line one\ndata: line two\n\ndata:{"é":"ü"}\n\ndata: last without blank line';
    for (const size of [1, 3, 7, 1_000]) {
      const seen: string[] = [];
      for await (const data of readSseData(bodyOf(text, size))) seen.push(data);
      expect(seen, `chunks of ${size}`).toEqual(['{"a":1}', 'line one\nline two', '{"é":"ü"}', 'last without blank line']);
    }
  });
});

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
