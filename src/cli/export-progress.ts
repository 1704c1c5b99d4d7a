import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { discoverTrajectoryCandidates, type ExportProgress } from '../export/index.js';

export interface ExportProgressView {
  onProgress(progress: ExportProgress): void;
  stop(): void;
}

/**
 * On a terminal, a bar over the candidate files (counted first: a walk of the inputs):
 * trajectories/s, bytes read and ETA. Elsewhere (pipes, CI logs) nothing.
 */
export async function createExportProgress(
  inputs: readonly string[],
  tty: boolean,
  options: { includeTries?: boolean; stream?: NodeJS.WriteStream } = {},
): Promise<ExportProgressView> {
  if (!tty) return { onProgress: () => undefined, stop: () => undefined };
  let total = 0;
  for await (const _candidate of discoverTrajectoryCandidates(inputs, { includeTries: options.includeTries })) total += 1;
  const bar = new cliProgress.SingleBar({
    format: '{bar} {value}/{total} files | {rate} trajectories/s | {bytes} read | exported {exported} | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 200,
    stream: options.stream ?? process.stderr,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  let bytes = 0;
  let last = 0;
  bar.start(total, 0, { rate: '0', bytes: formatBytes(0), exported: 0 });
  return {
    onProgress(progress) {
      try {
        bytes += statSync(progress.path).size;
      } catch {
        // A file removed since it was read: its bytes are not counted.
      }
      const now = Date.now();
      if (now - last < 100 && progress.read !== total) return;
      last = now;
      const rate = (progress.read * 1000) / Math.max(1, now - started);
      bar.update(Math.min(progress.read, total), { rate: rate.toFixed(0), bytes: formatBytes(bytes), exported: progress.exported });
    },
    stop: () => bar.stop(),
  };
}

function formatBytes(n: number): string {
  if (n < 1 << 20) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${(n / (1 << 30)).toFixed(2)} GB`;
}
