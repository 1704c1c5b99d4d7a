import { createDockerBackend, engine } from '../src/docker/index.js';
import { listRuntimes } from '../src/docker/isolation/runtimes.js';
import { RuntimeSandbox } from '../src/sandbox/index.js';
import { PINNED_ENV } from '../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../src/task/spec.js';
import type { Limits } from '../src/trajectory/schema.js';
import { fmt, median, timeMany } from './stats.js';

const IMAGE = 'forager-base:bookworm';
/** A file-heavy step: every file of /usr stat'ed (what a test collector or `grep -r` does). */
const FILE_HEAVY = 'find /usr -type f -size +0 | wc -l';

export interface RuntimeRow {
  mode: string;
  startStopMs: number;
  dispatchMs: number;
  fileHeavyMs: number;
}

const MODES: { mode: string; limits: Partial<Limits> }[] = [
  { mode: 'runc', limits: {} },
  { mode: 'runc + tmpfs mounts', limits: { disk_mount: 'tmpfs' } },
  { mode: 'runc + loop mount', limits: { disk_mount: 'loop' } },
  { mode: 'runsc', limits: { runtime: 'runsc' } },
  { mode: 'runsc-memory', limits: { runtime: 'runsc-memory' } },
];

function start(limits: Partial<Limits>): Promise<RuntimeSandbox> {
  return RuntimeSandbox.start(createDockerBackend(), { image: IMAGE, runId: 'bench-runtimes', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS, ...limits } });
}

/** Each isolation mode in one run, starts interleaved so load falls on all alike: start+stop, dispatch of `true`, a file-heavy step. */
export async function benchRuntimes(options: { starts?: number; actions?: number; heavy?: number } = {}): Promise<RuntimeRow[]> {
  const starts = options.starts ?? 7;
  const registered = new Set((await listRuntimes(engine())).runtimes.map((r) => r.name));
  const modes = MODES.filter((m) => !m.limits.runtime || registered.has(m.limits.runtime));
  const startTimes = new Map<string, number[]>(modes.map((m) => [m.mode, []]));
  for (let i = 0; i < starts; i += 1) {
    for (const m of modes) startTimes.get(m.mode)!.push(...(await timeMany(1, async () => (await start(m.limits)).stop())));
  }
  const rows: RuntimeRow[] = [];
  for (const m of modes) {
    const box = await start(m.limits);
    try {
      await timeMany(10, () => box.exec('true', { trackState: false }));
      const dispatch = await timeMany(options.actions ?? 100, () => box.exec('true', { trackState: false }));
      const heavy = await timeMany(options.heavy ?? 5, () => box.exec(FILE_HEAVY, { trackState: false }));
      rows.push({ mode: m.mode, startStopMs: median(startTimes.get(m.mode)!), dispatchMs: median(dispatch), fileHeavyMs: median(heavy) });
    } finally {
      await box.stop();
    }
  }
  return rows;
}

export function printRuntimeBench(rows: RuntimeRow[]): void {
  const base = rows.find((r) => r.mode === 'runc');
  const ratio = (v: number, b: number | undefined) => (b ? `${(v / b).toFixed(2)}x` : '');
  const lines = ['== isolation modes (median; ratios against runc, same run)', `  ${'mode'.padEnd(22)}${'start+stop'.padStart(14)}${''.padStart(8)}${'dispatch'.padStart(12)}${''.padStart(8)}${'file-heavy'.padStart(14)}${''.padStart(8)}`];
  for (const r of rows) {
    lines.push(`  ${r.mode.padEnd(22)}${fmt(r.startStopMs).padStart(14)}${ratio(r.startStopMs, base?.startStopMs).padStart(8)}${fmt(r.dispatchMs).padStart(12)}${ratio(r.dispatchMs, base?.dispatchMs).padStart(8)}${fmt(r.fileHeavyMs).padStart(14)}${ratio(r.fileHeavyMs, base?.fileHeavyMs).padStart(8)}`);
  }
  lines.push(`  (file-heavy: \`${FILE_HEAVY}\`)`, '');
  process.stdout.write(lines.join('\n'));
}
