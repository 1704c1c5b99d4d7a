import cliProgress from 'cli-progress';
import type { HarvestEvent } from '../scheduler/index.js';
import { outcomeLabel } from '../scheduler/index.js';

export interface ProgressView {
  onEvent(event: HarvestEvent): void;
  stop(): void;
}

/** A bar on a terminal (done / failed / running, rate, ETA); a line per finished attempt otherwise; nothing when quiet. */
export function createProgressView(options: { tty: boolean; quiet: boolean }): ProgressView {
  if (options.quiet) return { onEvent: () => undefined, stop: () => undefined };
  return options.tty ? barView() : lineView();
}

function lineView(): ProgressView {
  return {
    onEvent(event) {
      if (event.type !== 'finished') return;
      const o = event.outcome;
      const ok = o.failureKind === null;
      const retries = o.retries ? ` after ${o.retries} retries (${o.reasons.join(', ')})` : '';
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${o.key} ${outcomeLabel(o)} ${o.steps} steps ${(o.durationMs / 1000).toFixed(1)} s${retries}\n`);
    },
    stop: () => undefined,
  };
}

function barView(): ProgressView {
  const bar = new cliProgress.SingleBar({
    format: '{bar} {value}/{total} | ok {ok} failed {failed} running {running} retries {retries} | {rate}/min | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    stream: process.stdout,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  const counts = { ok: 0, failed: 0, running: 0, retries: 0, rate: '0' };
  let done = 0;
  return {
    onEvent(event) {
      if (event.type === 'planned') bar.start(event.total - event.skipped, 0, counts);
      else if (event.type === 'started') counts.running += 1;
      else if (event.type === 'retry') { counts.retries += 1; counts.running -= 1; }
      else {
        counts.running -= 1;
        done += 1;
        const o = event.outcome;
        if (o.failureKind !== null) counts.failed += 1;
        else counts.ok += 1;
        counts.rate = ((done * 60_000) / Math.max(1, Date.now() - started)).toFixed(1);
      }
      if (event.type === 'planned') return;
      if (event.type === 'finished') bar.update(done, counts);
      else bar.update(counts);
    },
    stop: () => bar.stop(),
  };
}
