import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { startViewer } from '../viewer/index.js';

const DEFAULT_PORT = 7311;

export function registerView(program: Command): void {
  program
    .command('view')
    .description('Browse trajectories in a local web page (served on 127.0.0.1, nothing fetched from the internet)')
    .argument('<path>', 'a trajectory file, or a folder searched recursively for *.jsonl')
    .option('-p, --port <port>', `port to listen on (default ${DEFAULT_PORT}, or any free one when taken)`)
    .option('--no-open', 'do not open a browser; just print the address')
    .option('--include-tries', 'also list retried tries and staging files of batch folders (default: one trajectory per attempt)')
    .action(async (path: string, options: { port?: string; open: boolean; includeTries?: boolean }) => {
      const log = createLogger();
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
        throw new TaskError('USAGE', `--port: expected a port number from 0 to 65535, found ${JSON.stringify(options.port)}`);
      }
      const viewer = await startViewer({ root: path, port: port ?? DEFAULT_PORT, log, includeTries: options.includeTries }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' && port === undefined) return startViewer({ root: path, port: 0, log, includeTries: options.includeTries });
        if (error.code === 'ENOENT') throw new TaskError('VIEW_NOT_FOUND', `${path}: no such file or folder`);
        throw error;
      });
      process.stdout.write(`forager viewer: ${viewer.url}  (Ctrl-C to stop)\n`);
      if (options.open) openBrowser(viewer.url);
      await new Promise<void>((done) => {
        const stop = () => { void viewer.close().then(done); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** Best effort: the desktop's opener, if there is one. */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`forager: could not open a browser (${opener}); open ${url} yourself\n`));
  child.unref();
}
