import cliProgress from 'cli-progress';
import type { SupplyEvent } from '../supply/index.js';

export interface SupplyView {
  onEvent(event: SupplyEvent): void;
  stop(): void;
}

/** On a terminal a bar of stages done (with the repository and stage running); otherwise one line per stage event. */
export function createSupplyView(options: { tty: boolean; quiet: boolean }): SupplyView {
  if (options.quiet) return { onEvent: () => undefined, stop: () => undefined };
  if (!options.tty) {
    return {
      onEvent(event) {
        if (event.type === 'stage-finished') process.stdout.write(`${event.ok ? 'ok  ' : 'FAIL'} ${event.repo} ${event.stage}: ${event.summary} (${(event.duration_ms / 60000).toFixed(1)} min)\n`);
        else if (event.type === 'stage-failed') process.stdout.write(`FAIL ${event.repo} ${event.stage}: ${event.code}: ${event.message}${event.final ? '' : ' (run again to resume)'}\n`);
        else if (event.type === 'stage-retry') process.stdout.write(`retry ${event.repo} ${event.stage}: ${event.code} in ${(event.delay_ms / 1000).toFixed(1)} s\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar({
    format: '{bar} {value}/{total} stages | {running} | failed {failed} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20, stream: process.stdout,
  }, cliProgress.Presets.shades_classic);
  const running = new Map<string, string>();
  let failed = 0;
  let done = 0;
  const payload = () => ({ running: [...running].map(([repo, stage]) => `${repo}:${stage}`).join(' ').slice(0, 60) || 'idle', failed });
  return {
    onEvent(event) {
      if (event.type === 'planned') bar.start(event.repos * event.stages.length, 0, payload());
      else if (event.type === 'stage-started') running.set(event.repo, event.stage);
      else if (event.type === 'stage-skipped' || event.type === 'stage-finished' || event.type === 'stage-failed') {
        done += 1;
        running.delete(event.repo);
        if (event.type === 'stage-failed' || (event.type === 'stage-finished' && !event.ok)) failed += 1;
      }
      bar.update(done, payload());
    },
    stop: () => bar.stop(),
  };
}
