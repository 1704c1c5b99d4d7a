import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** tests/fixtures/sdk: recorded answers from the official SDKs' own tests, and what those SDKs return for them. */
export const SDK_FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'sdk');

export interface SdkFixture {
  file: string;
  endpoint: 'openai' | 'anthropic';
  stream: boolean;
  /** The `forager run` this fixture is replayed in, in order. */
  run: string;
  source: { repository: string; commit: string; path: string; where: string };
}

export const SDK_FIXTURES = JSON.parse(readFileSync(join(SDK_FIXTURES_DIR, 'fixtures.json'), 'utf8')) as SdkFixture[];

/** What the SDKs returned for each fixture (scripts/sdk-expected.ts), by file. */
export const SDK_EXPECTED = JSON.parse(readFileSync(join(SDK_FIXTURES_DIR, 'expected.json'), 'utf8')) as {
  sdks: Record<string, string>;
  results: Record<string, any>;
};

export interface ReplayServer {
  url: string;
  requests: Array<{ body: Record<string, any>; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/**
 * A local server that answers the n-th POST with the n-th fixture's bytes, exactly as
 * recorded, written in 16-byte pieces a millisecond apart (so the client reads them split
 * at arbitrary places: inside `\r\n`, `data:` and UTF-8 characters). It stands in for the
 * model only.
 */
export async function startReplayServer(fixtures: SdkFixture[]): Promise<ReplayServer> {
  const requests: ReplayServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
      const fixture = fixtures[requests.length - 1];
      if (!fixture) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"no more fixtures"}}');
        return;
      }
      const bytes = readFileSync(join(SDK_FIXTURES_DIR, fixture.file));
      res.writeHead(200, { 'content-type': fixture.stream ? 'text/event-stream' : 'application/json' });
      for (let i = 0; i < bytes.length; i += 16) {
        res.write(bytes.subarray(i, i + 16));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
