import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputCapture, textCapture } from '../../src/core/capture.js';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION, type Footer, type Header, type Step } from '../../src/trajectory/schema.js';
import { TrajectoryWriter } from '../../src/trajectory/writer.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';

function header(taskId: string, n: number): Header {
  return {
    type: 'header', format: TRAJECTORY_FORMAT, version: TRAJECTORY_VERSION, forager_version: 'test', trajectory_id: `traj-${taskId}`,
    run_id: 'viewer-fixture', attempt: 0, started_at: `2025-01-0${n}T10:00:00.000Z`,
    task: { id: taskId, hash: 'f'.repeat(64), instruction: `do ${taskId}`, spec: {} },
    image: { ref: 'forager-base:bookworm', id: 'sha256:abc', digest: null }, agent: { type: 'scripted', actions: 3 },
    limits: { ...DEFAULT_LIMITS }, environment: {}, workdir: '/work', seed: 0, host: { hostname: 'h', platform: 'linux' }, setup: [],
  };
}

function bashStep(index: number, command: string, stdout: string, extra: Partial<Step> = {}): Step {
  return {
    type: 'step', index, started_at: '2025-01-01T10:00:01.000Z', action: { tool: 'bash', command },
    observation: { stdout: textCapture(stdout), stderr: textCapture(''), exit_code: 0, signal: null, timed_out: false, duration_ms: 1.5, session_restarted: false },
    shown: stdout, state: { cwd: '/work', changes: [] }, timing: { agent_ms: 0, action_ms: 2 }, ...extra,
  };
}

function footer(extra: Partial<Footer> & Pick<Footer, 'exit_status' | 'steps'>): Footer {
  return { type: 'footer', failure_kind: null, ended_at: '2025-01-01T10:01:00.000Z', duration_ms: 60_000, totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 }, ...extra };
}

async function write(path: string, h: Header, steps: Step[], f?: Footer): Promise<void> {
  const writer = await TrajectoryWriter.create(path, h);
  for (const s of steps) await writer.step(s);
  if (f) await writer.finish(f); else await writer.abandon();
}

/** A folder of trajectories covering what the viewer shows: outcomes, binary and truncated output, a format error, 1,000 steps. */
export async function writeViewerFixtures(dir: string): Promise<void> {
  await mkdir(join(dir, 'batch', 'long'), { recursive: true });
  const big = new OutputCapture(1024);
  big.push(Buffer.from(`${'HEAD '.repeat(200)}${'x'.repeat(5000)}${' TAIL'.repeat(100)}`));
  const binary = { ...textCapture(''), text: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x41]).toString('base64'), encoding: 'base64' as const, bytes: 7 };
  const alpha: Step[] = [
    bashStep(0, 'python -m pytest -q', '3 passed in 0.01s\n', { model: { raw_text: 'Let me run the tests first.\n<tool: bash>\npython -m pytest -q\n</tool>' }, state: { cwd: '/work', changes: [{ path: '/work/.cache/x', change: 'added', size: 10 }, { path: '/work/calc.py', change: 'modified', size: 120 }] } }),
    { ...bashStep(1, 'cat archive.zip', ''), observation: { ...bashStep(1, '', '').observation!, stdout: binary } },
    { ...bashStep(2, 'yes HEAD | head', ''), observation: { ...bashStep(2, '', '').observation!, stdout: big.finish() } },
    { type: 'step', index: 3, started_at: '2025-01-01T10:00:04.000Z', action: null, observation: null, shown: 'FormatError: no tool call', state: null, timing: { agent_ms: 5, action_ms: 0 }, model: { raw_text: 'I think I am done', format_error: 'no tool call' } },
    { ...bashStep(4, 'false', ''), observation: { ...bashStep(4, '', '').observation!, exit_code: 1, stderr: textCapture('boom\n') } },
  ];
  await write(join(dir, 'batch', 'alpha-fix.jsonl'), header('alpha-fix', 1), alpha, footer({ exit_status: 'submitted', steps: alpha.length, reward: 1, evaluation: { FAIL_TO_PASS: { passed: 2, failed: 0 }, resolved: true } }));
  await write(join(dir, 'batch', 'beta-task.jsonl'), header('beta-task', 2), [bashStep(0, 'ls', 'a\n')],
    footer({ exit_status: 'error', failure_kind: 'infrastructure', steps: 1, reward: 0, error: { kind: 'infrastructure', code: 'CONTAINER_GONE', message: 'the container stopped' } }));
  await write(join(dir, 'batch', 'gamma-partial.jsonl'), header('gamma-partial', 3), [bashStep(0, 'sleep 1', '')]);
  const long = Array.from({ length: 1000 }, (_, i) => bashStep(i, `echo step-${i}`, `output of step ${i}\n`));
  await write(join(dir, 'batch', 'long', 'long-run.jsonl'), header('long-run', 4), long, footer({ exit_status: 'max_steps', failure_kind: 'agent', steps: 1000, error: { kind: 'agent', code: 'MAX_STEPS', message: 'used all steps' } }));
}
