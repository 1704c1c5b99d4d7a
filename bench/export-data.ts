import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Footer, Header, Step } from '../src/trajectory/schema.js';

const COMMANDS = ['ls -la', 'git status', 'grep -rn "def main" src', 'python -m pytest -x -q', 'cat setup.py', 'sed -n 1,40p src/core.py', 'git diff', 'find . -name "*.py" | head'];

/** A small pseudo-random generator so the synthetic set is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

function capture(text: string) {
  return { text, encoding: 'utf8' as const, bytes: Buffer.byteLength(text), omitted_bytes: 0, sha256: createHash('sha256').update(text).digest('hex') };
}

/** The lines of one synthetic trajectory (5-10 steps, a few hundred bytes of output each). */
export function syntheticTrajectory(n: number, repos: number): string {
  const random = lcg(n + 1);
  const repo = `org/repo${n % repos}`;
  const started = Date.parse('2026-11-01T00:00:00.000Z') + n * 1000;
  const header: Header = {
    type: 'header', format: 'forager.trajectory', version: 1, forager_version: '0.1.0',
    trajectory_id: `traj-${n}`, run_id: 'bench', attempt: 0, started_at: new Date(started).toISOString(),
    task: { id: `repo${n % repos}-${n}`, hash: `h${n}`, instruction: `Fix issue #${n} in ${repo}: the parser fails on empty input.`, spec: { metadata: { repo } } },
    image: { ref: 'forager-base:bookworm', id: 'sha256:bench' }, agent: { type: 'scripted' },
    limits: { wall_time_s: 1800, action_timeout_s: 120, max_steps: 128, memory_mb: 2048, cpus: 1, pids: 512, network: 'none', max_output_bytes: 491520 },
    environment: { TZ: 'UTC' }, workdir: '/work', seed: n, host: { hostname: 'bench', platform: 'linux' }, setup: [],
  };
  const lines: string[] = [JSON.stringify(header)];
  const count = 5 + Math.floor(random() * 6);
  for (let index = 0; index < count; index += 1) {
    const command = `${COMMANDS[Math.floor(random() * COMMANDS.length)]} # ${n}-${index}`;
    const out = Array.from({ length: 4 + Math.floor(random() * 8) }, (_, k) => `line ${k} of ${command} → ${Math.floor(random() * 1e6)}`).join('\n');
    const step: Step = {
      type: 'step', index, started_at: new Date(started + index * 100).toISOString(), action: { tool: 'bash', command },
      observation: { stdout: capture(out), stderr: capture(''), exit_code: random() < 0.8 ? 0 : 1, signal: null, timed_out: false, duration_ms: 5 + random() * 50, session_restarted: false },
      shown: out, state: { cwd: '/work', changes: [] }, timing: { agent_ms: 1, action_ms: 10 },
    };
    lines.push(JSON.stringify(step));
  }
  const footer: Footer = {
    type: 'footer', exit_status: 'submitted', failure_kind: null, ended_at: new Date(started + 60_000).toISOString(), duration_ms: 60_000, steps: count,
    totals: { output_bytes: 1000, action_ms: 100, agent_ms: 10 }, reward: random() < 0.3 ? 1 : 0,
  };
  lines.push(JSON.stringify(footer));
  return `${lines.join('\n')}\n`;
}

/** Write `count` trajectories as a batch folder (1,000 files per subfolder), a few files at a time. */
export async function writeSyntheticBatch(dir: string, count: number, repos = Math.max(1, Math.floor(count / 50))): Promise<void> {
  const parallel = 16;
  for (let start = 0; start < count; start += parallel) {
    const jobs: Promise<void>[] = [];
    for (let n = start; n < Math.min(count, start + parallel); n += 1) {
      const folder = join(dir, `shard-${String(Math.floor(n / 1000)).padStart(4, '0')}`);
      if (n % 1000 === 0 || n === start) await mkdir(folder, { recursive: true });
      jobs.push(writeFile(join(folder, `traj-${String(n).padStart(7, '0')}.jsonl`), syntheticTrajectory(n, repos)));
    }
    await Promise.all(jobs);
  }
}
