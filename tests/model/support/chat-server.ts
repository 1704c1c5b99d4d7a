import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the stand-in model server. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (a chat completion by default); a string is sent as it is. */
  body?: unknown;
  /** Never answer: the client must time out. */
  hang?: boolean;
  /** Server-sent events: each string is one event's data, written `delayMs` apart. */
  sse?: string[];
  delayMs?: number;
  /** With `sse`: drop the connection after the events instead of ending the response. */
  cut?: boolean;
}

export interface ReceivedRequest {
  body: Record<string, any>;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface ChatServer {
  /** Base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server speaking the chat-completions protocol, answering each POST to
 * /v1/chat/completions with the next scripted reply (500 once the script runs out).
 * It stands in for the model only.
 */
export async function startChatServer(
  script: Array<ScriptedReply | ((request: ReceivedRequest) => ScriptedReply)>,
): Promise<ChatServer> {
  const requests: ReceivedRequest[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end('{"error":"not found"}');
        return;
      }
      const received = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers, at: performance.now() };
      requests.push(received);
      const entry = script[next++];
      const reply = typeof entry === 'function' ? entry(received) : entry ?? { status: 500, body: { error: 'script exhausted' } };
      if (reply.hang) return;
      if (reply.sse) {
        void writeEvents(res, reply.sse, reply.delayMs ?? 0, reply.cut === true);
        return;
      }
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? completion({ content: '' }));
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A chat-completions response body. */
export function completion(options: {
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: Array<{ name: string; arguments: string | Record<string, unknown>; id?: string }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
  finish_reason?: string;
}): Record<string, unknown> {
  const calls = options.tool_calls?.map((c, i) => ({
    id: c.id ?? `call_${i}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const usage = options.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [{
      index: 0,
      finish_reason: options.finish_reason ?? (calls ? 'tool_calls' : 'stop'),
      message: {
        role: 'assistant',
        content: options.content ?? null,
        ...(options.reasoning_content ? { reasoning_content: options.reasoning_content } : {}),
        ...(calls ? { tool_calls: calls } : {}),
      },
    }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export async function writeEvents(res: import('node:http').ServerResponse, events: string[], delayMs: number, cut: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const data of events) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    // Anthropic names each event after its data's type; OpenAI-style chunks have none.
    const type = /^\{"type":"([a-z_]+)"/.exec(data)?.[1];
    res.write(`${type ? `event: ${type}\n` : ''}data: ${data}\n\n`);
  }
  if (cut) res.socket?.destroy();
  else res.end();
}
