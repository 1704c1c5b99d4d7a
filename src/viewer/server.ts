import { readFile, stat } from 'node:fs/promises';
import { LineTooLongError } from '../lines/index.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../core/log.js';
import { listTrajectories, type TrajectorySummary } from './catalog.js';
import { isAllowedHost } from './host-check.js';
import { StepStore } from './step-store.js';
import { createTraceRoutes } from './trace-routes.js';

/** The page's files, shipped with the package: nothing is fetched from elsewhere. */
export const ASSETS_DIR = fileURLToPath(new URL('./assets', import.meta.url));
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/assets/viewer.js': 'viewer.js',
  '/assets/viewer.css': 'viewer.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const MAX_PAGE = 500;

export interface ViewerOptions {
  /** A trajectory file or a folder searched recursively for *.jsonl. */
  root: string;
  port?: number;
  host?: string;
  log?: Logger;
  /** List try and staging files of batch folders too (default: one trajectory per attempt). */
  includeTries?: boolean;
}

export interface RunningViewer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serve the viewer on 127.0.0.1 (by default): the page, and a JSON API over the trajectories. */
export async function startViewer(options: ViewerOptions): Promise<RunningViewer> {
  const root = resolve(options.root);
  await stat(root);
  const log = options.log ?? silentLogger;
  const store = new StepStore();
  let known = new Map<string, string>();
  const isDir = (await stat(root)).isDirectory();
  const pathOf = async (id: string): Promise<string | undefined> => {
    if (!known.has(id)) await refresh();
    return known.get(id);
  };
  const refresh = async (): Promise<TrajectorySummary[]> => {
    const list = await listTrajectories(root, { includeTries: options.includeTries });
    known = new Map(list.map((t) => [t.id, isDir ? resolve(root, t.id) : root]));
    return list;
  };

  const traceRoutes = createTraceRoutes(root, ASSETS_DIR);
  const server = createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, listeningPort(server), options.host)) return send(res, 421, { error: `this viewer answers only to its own address (localhost or an IP), not Host ${JSON.stringify(req.headers.host ?? '')}` });
    handle(req, res).catch((error: unknown) => {
      log.warn({ err: error, url: req.url }, 'viewer request failed');
      // A line past the limit is the file's fault, not the viewer's: said as such, with the file and line.
      send(res, error instanceof LineTooLongError ? 422 : 500, { error: (error as Error).message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const asset = ASSETS[url.pathname];
    if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
    if (await traceRoutes(url, res)) return;
    if (asset) {
      const body = await readFile(resolve(ASSETS_DIR, asset));
      res.writeHead(200, { 'content-type': TYPES[asset.split('.').pop()!]!, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (url.pathname === '/api/trajectories') return send(res, 200, { root, items: await refresh() });
    const id = url.searchParams.get('id') ?? '';
    const path = url.pathname.startsWith('/api/') ? await pathOf(id) : undefined;
    if (url.pathname.startsWith('/api/') && !path) return send(res, 404, { error: `no trajectory ${JSON.stringify(id)} under ${root}` });
    if (url.pathname === '/api/trajectory') return send(res, 200, { id, ...(await store.open(path!)) });
    if (url.pathname === '/api/steps') {
      const offset = int(url.searchParams.get('offset'), 0);
      const limit = Math.min(MAX_PAGE, int(url.searchParams.get('limit'), 100));
      return send(res, 200, await store.rows(path!, offset, limit));
    }
    if (url.pathname === '/api/step') {
      const step = await store.step(path!, int(url.searchParams.get('n'), 0));
      return step ? send(res, 200, step) : send(res, 404, { error: 'no such step' });
    }
    send(res, 404, { error: 'not found' });
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    server,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}

function listeningPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : -1;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function int(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
