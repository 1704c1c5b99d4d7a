import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileEndpoint {
  /** Base URL of an OpenAI-compatible endpoint (…/v1). */
  url: string;
  /** Bytes written to all answers, as the kernel took them. */
  sent(): number;
  requests(): number;
  close(): Promise<void>;
}

export type Answer = (res: ServerResponse, count: (bytes: number) => void, request: Record<string, any>) => void | Promise<void>;

/** A model endpoint that answers the n-th request with `answers[n]` (the last one again after that). */
export async function startHostileEndpoint(answers: Answer[]): Promise<HostileEndpoint> {
  let sent = 0;
  let requests = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = answers[Math.min(requests, answers.length - 1)]!;
      requests += 1;
      void answer(res, (bytes) => { sent += bytes; }, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    sent: () => sent,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Write `head`, then `piece` again and again as fast as the client takes it, up to `total`
 * bytes or until the client goes away (a body of gigabytes costs the server nothing).
 */
export function endless(status: number, headers: Record<string, string>, head: string, piece: string, total = Number.POSITIVE_INFINITY): Answer {
  return (res, count) => new Promise<void>((resolve) => {
    res.writeHead(status, headers);
    const chunk = Buffer.from(piece.repeat(Math.max(1, Math.floor(1024 * 1024 / piece.length))));
    let written = 0;
    const write = () => {
      while (written < total && !res.destroyed) {
        written += chunk.length;
        count(chunk.length);
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      if (!res.destroyed) res.end();
      resolve();
    };
    res.on('close', resolve);
    count(head.length);
    res.write(head);
    write();
  });
}

/** Write `piece` every `everyMs` until the client goes away. */
export function trickle(headers: Record<string, string>, head: string, piece: string, everyMs: number): Answer {
  return (res, count) => {
    res.writeHead(200, headers);
    res.write(head);
    count(head.length);
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(piece);
      count(piece.length);
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** A plain JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Answer {
  return (res, count) => {
    const text = JSON.stringify(body);
    count(text.length);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
  };
}
