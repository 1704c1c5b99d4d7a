import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrajectoryWriter } from '../../src/trajectory/writer.js';
import type { Action, Footer, Header, ModelTurn, Step, StreamCapture } from '../../src/trajectory/schema.js';

export async function makeTempDir(prefix = 'forager-export-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function capture(text: string, extra: Partial<StreamCapture> = {}): StreamCapture {
  return {
    text,
    encoding: 'utf8',
    bytes: Buffer.byteLength(text),
    omitted_bytes: 0,
    sha256: createHash('sha256').update(text).digest('hex'),
    ...extra,
  };
}

export interface StepInput {
  action: Action | null;
  stdout?: StreamCapture;
  stderr?: StreamCapture;
  exitCode?: number | null;
  shown?: string;
  model?: ModelTurn;
  failure?: Step['failure'];
}

export interface TrajectoryInput {
  id: string;
  taskId: string;
  repo?: string;
  steps: StepInput[];
  footer?: Partial<Footer> | null;
  agent?: Record<string, unknown>;
}

const T0 = Date.parse('2026-11-01T10:00:00.000Z');

export function buildHeader(input: TrajectoryInput): Header {
  return {
    type: 'header', format: 'forager.trajectory', version: 1, forager_version: '0.1.0',
    trajectory_id: input.id, run_id: 'run-1', attempt: 0, started_at: new Date(T0).toISOString(),
    task: {
      id: input.taskId, hash: `hash-${input.taskId}`, instruction: `Fix the bug in ${input.taskId} — ünïcödé ✓`,
      spec: { id: input.taskId, metadata: input.repo ? { repo: input.repo } : {} },
    },
    image: { ref: 'forager-base:bookworm', id: 'sha256:abc' },
    // Written as given (old untyped records included): the reader types it.
    agent: (input.agent ?? { type: 'scripted' }) as unknown as Header['agent'],
    limits: { wall_time_s: 1800, action_timeout_s: 120, max_steps: 128, memory_mb: 2048, cpus: 1, pids: 512, network: 'none', max_output_bytes: 491520 },
    environment: { TZ: 'UTC' }, workdir: '/work', seed: 7,
    host: { hostname: 'test', platform: 'linux' }, setup: [],
  };
}

export function buildStep(input: StepInput, index: number): Step {
  const stdout = input.stdout ?? capture(`out ${index}\n`);
  const stderr = input.stderr ?? capture('');
  const step: Step = {
    type: 'step', index, started_at: new Date(T0 + index * 1000).toISOString(),
    action: input.action,
    observation: input.action ? { stdout, stderr, exit_code: input.exitCode ?? 0, signal: null, timed_out: false, duration_ms: 12.5, session_restarted: false } : null,
    shown: input.shown ?? (input.action ? stdout.text : 'FormatError: expected one <tool: …> block'),
    state: input.action ? { cwd: '/work', changes: input.action.tool === 'create' ? [{ path: input.action.path, change: 'added', size: 3 }] : [] } : null,
    timing: { agent_ms: 3, action_ms: 13 },
  };
  if (input.model) step.model = input.model;
  if (input.failure) step.failure = input.failure;
  return step;
}

export function buildFooter(input: TrajectoryInput): Footer {
  return {
    type: 'footer', exit_status: 'submitted', failure_kind: null, ended_at: new Date(T0 + 60_000).toISOString(),
    duration_ms: 60_000, steps: input.steps.length, patch: 'diff --git a/x b/x\n',
    totals: { output_bytes: 100, action_ms: 50, agent_ms: 10 },
    ...(input.footer ?? {}),
  };
}

/** Write one trajectory with the real writer; a null footer leaves it partial. */
export async function writeTrajectory(path: string, input: TrajectoryInput): Promise<void> {
  const writer = await TrajectoryWriter.create(path, buildHeader(input));
  for (const [index, step] of input.steps.entries()) await writer.step(buildStep(step, index));
  if (input.footer === null) await writer.abandon();
  else await writer.finish(buildFooter(input));
}

/** A trajectory exercising every corner: unicode, base64 binary output, truncation, model turns, a format error. */
export function richTrajectory(id: string, taskId: string, repo?: string): TrajectoryInput {
  const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]).toString('base64');
  return {
    id, taskId, repo,
    agent: { type: 'model', model: 'cwm-32b', system_prompt: 'You are CWM.' },
    footer: { reward: 1, evaluation: { resolved: true }, totals: { output_bytes: 2048, action_ms: 40, agent_ms: 9, prompt_tokens: 900, completion_tokens: 100 } },
    steps: [
      { action: { tool: 'bash', command: `grep -rn "naïve ✓" src/${id}` }, stdout: capture('src/a.py:1: naïve ✓ — 日本語\n'), model: { raw_text: `Let me look.\n<tool: bash>\ngrep -rn "naïve ✓" src/${id}\n</tool>`, usage: { prompt_tokens: 400, completion_tokens: 40, total_tokens: 440 } } },
      { action: { tool: 'bash', command: 'head -c 5 /bin/true' }, stdout: capture(binary, { encoding: 'base64', bytes: 5 }), shown: '[5 bytes of binary output]' },
      { action: { tool: 'bash', command: 'seq 100000' }, stdout: capture('1\n2\n', { tail: '99999\n100000\n', bytes: 588895, omitted_bytes: 588880 }), exitCode: 0 },
      { action: null, model: { raw_text: 'I will call <tool bash> now', format_error: 'no tool call found' } },
      { action: { tool: 'edit', path: 'src/a.py', search: 'naïve', replace: 'naive' }, model: { raw_text: 'Editing.', tool_calls: [{ id: 'call_abc', name: 'edit', arguments: '{"path":"src/a.py","search":"naïve","replace":"naive"}' }], usage: { prompt_tokens: 500, completion_tokens: 60, total_tokens: 560 } } },
      { action: { tool: 'create', path: 'tests/test_new.py', content: 'def test():\n    assert 1\n' }, exitCode: 1, stderr: capture('warning\n') },
      { action: { tool: 'view', path: 'src/a.py', start_line: 1, end_line: 20 } },
      { action: { tool: 'submit', result: 'done' }, shown: 'submitted' },
    ],
  };
}

/** A small scripted trajectory whose actions are the given bash commands. */
export function bashTrajectory(id: string, taskId: string, commands: string[], extra: Partial<TrajectoryInput> = {}): TrajectoryInput {
  return { id, taskId, steps: commands.map((command) => ({ action: { tool: 'bash', command } })), ...extra };
}
