import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { relative, resolve } from 'node:path';
import { findTraceFiles, isTraceFile, readTraceFile, type TraceFile } from '../trace/index.js';

const PAGES: Record<string, [string, string]> = {
  '/trace': ['trace.html', 'text/html; charset=utf-8'],
  '/assets/trace.js': ['trace.js', 'text/javascript; charset=utf-8'],
  '/assets/trace.css': ['trace.css', 'text/css; charset=utf-8'],
};

/**
 * The trace view: `/trace` (the page; also `/` when the viewer was started on a trace file),
 * `/api/traces` (trace files under the root), `/api/trace?id=` (one file's invocations) and
 * `/api/invocation?id=&n=` (one invocation with its function's source). Ids are paths
 * relative to the root, answered only for files the listing found. True when it answered.
 */
export function createTraceRoutes(root: string, assetsDir: string): (url: URL, res: ServerResponse) => Promise<boolean> {
  const cache = new Map<string, { mtimeMs: number; file: TraceFile }>();
  let rootIsTrace: boolean | undefined;
  const list = async () => {
    const files = await findTraceFiles([root]);
    const dir = (await stat(root)).isDirectory() ? root : resolve(root, '..');
    return new Map(files.map((f) => [relative(dir, f), f]));
  };
  const open = async (path: string): Promise<TraceFile> => {
    const { mtimeMs } = await stat(path);
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit.file;
    const file = await readTraceFile(path);
    cache.set(path, { mtimeMs, file });
    return file;
  };

  return async (url, res) => {
    rootIsTrace ??= await isTraceFile(root);
    const page = PAGES[url.pathname] ?? (url.pathname === '/' && rootIsTrace ? PAGES['/trace'] : undefined);
    if (page) {
      res.writeHead(200, { 'content-type': page[1], 'cache-control': 'no-store' });
      res.end(await readFile(resolve(assetsDir, page[0])));
      return true;
    }
    if (url.pathname === '/api/traces') {
      const items = [];
      for (const [id, path] of await list()) {
        const file = await open(path);
        items.push({ id, task: file.header.task.id, variant: file.header.variant ?? null, invocations: file.invocations.length, functions: file.functions.size, status: file.footer?.exit_status ?? 'partial' });
      }
      send(res, 200, { root, items });
      return true;
    }
    if (url.pathname !== '/api/trace' && url.pathname !== '/api/invocation') return false;
    const id = url.searchParams.get('id') ?? '';
    const path = (await list()).get(id);
    if (!path) {
      send(res, 404, { error: `no trace ${JSON.stringify(id)} under ${root}` });
      return true;
    }
    const file = await open(path);
    if (url.pathname === '/api/trace') {
      const invocations = file.invocations.map((inv, n) => ({ n, id: inv.id, qualname: inv.qualname, file: inv.file, test: inv.test, outcome: inv.outcome, events: inv.events.length, cut: inv.cut?.reason ?? null }));
      send(res, 200, { id, header: file.header, footer: file.footer ?? null, invocations });
      return true;
    }
    const n = Number.parseInt(url.searchParams.get('n') ?? '', 10);
    const invocation = file.invocations[n];
    if (!invocation) send(res, 404, { error: `no invocation ${n} in ${id}` });
    else send(res, 200, { invocation, function: file.functions.get(invocation.function) ?? null });
    return true;
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
