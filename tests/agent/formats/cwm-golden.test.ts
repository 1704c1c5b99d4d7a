import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CwmAgent } from '../../../src/agent/cwm-agent.js';
import { applyCwmEdit, CwmLedger, createMessage, cwmSystemPrompt, cwmUserPrompt, getTokenCounter } from '../../../src/agent/formats/cwm/index.js';
import { ModelAgentSpecSchema } from '../../../src/agent/model-spec.js';
import type { AgentDecision } from '../../../src/core/contracts.js';
import type { ChatCompletion, ChatRequest, ModelClient } from '../../../src/model/index.js';
import { emptyCapture, OutputCapture, textCapture } from '../../../src/core/capture.js';
import type { Action, Observation, Step } from '../../../src/trajectory/schema.js';
import { CWM_TOKENS } from '../../../src/agent/formats/cwm/index.js';
import { buildConversation } from '../../../src/export/index.js';
import type { Trajectory } from '../../../src/trajectory/reader.js';
import { buildFooter, buildHeader } from '../../export/fixtures.js';

// Golden data made by running CWM's own environment code (see tests/fixtures/cwm/README.md).
const FIXTURES = join(import.meta.dirname, '../../fixtures/cwm');
const ROOT = '/testbed';

interface Raw { stdout?: string; stdout_b64?: string; stdout_repeat?: [string, number]; stderr?: string; exit_code?: number; timed_out?: boolean; exited?: boolean }
interface Turn { text: string; raw?: Raw; no_eot?: boolean }
interface Golden {
  case: { id: string; issue?: string; config?: Record<string, unknown>; files?: Record<string, string>; turns: Turn[] };
  start: { system: string; user: string; assistant_prefix: string; tokens: number; observation_str: string };
  turns: { message?: { role: string; tool: string; body: string }; terminal: boolean; info_message?: string; files_after: Record<string, string>; observation_str?: string }[];
}

const goldens: Golden[] = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Golden);

function settingsOf(golden: Golden) {
  const c = golden.case.config ?? {};
  const think = c.think === true;
  return {
    strict: c.strict_format !== false,
    reasoning: (think ? (c.use_think_tag ? 'tag' : 'token') : 'off') as 'off' | 'tag' | 'token',
    plugins: c.plugins !== false,
    contextSize: (c.context_size as number | undefined) ?? 131_072,
    maxTurns: (c.max_turns as number | undefined) ?? 128,
    sessionTimeoutS: (c.session_timeout as number | undefined) ?? 120,
  };
}

/** A model that answers with the recorded texts, in order: the only stand-in. */
class ScriptedModel implements ModelClient {
  readonly requests: ChatRequest[] = [];
  private next = 0;
  constructor(private readonly turns: Turn[]) {}
  async complete(request: ChatRequest): Promise<ChatCompletion> {
    this.requests.push(structuredClone(request));
    const turn = this.turns[this.next++]!;
    return { text: turn.text, toolCalls: [], finishReason: turn.no_eot ? 'length' : 'stop', latencyMs: 0, retries: 0 };
  }
}

function capture(bytes: Buffer): ReturnType<typeof emptyCapture> {
  const out = new OutputCapture(Number.MAX_SAFE_INTEGER);
  out.push(bytes);
  return out.finish();
}

function observation(stdout: Buffer, stderr: string, exitCode: number, extra: Partial<Observation> = {}): Observation {
  return { stdout: capture(stdout), stderr: stderr ? textCapture(stderr) : emptyCapture(), exit_code: exitCode, signal: null, timed_out: false, duration_ms: 1, session_restarted: false, ...extra };
}

/** What forager records for a bash step that printed `raw`. */
function bashObservation(raw: Raw): Observation {
  const stdout = raw.stdout_b64 !== undefined ? Buffer.from(raw.stdout_b64, 'base64') : Buffer.from(raw.stdout_repeat ? raw.stdout_repeat[0].repeat(raw.stdout_repeat[1]) : raw.stdout ?? '');
  return observation(stdout, raw.stderr ?? '', raw.exit_code ?? 0, raw.timed_out ? { timed_out: true, exit_code: null } : raw.exited ? { session_restarted: true } : {});
}

function relative(path: string): string {
  return posix.relative(ROOT, posix.resolve(ROOT, path));
}

/** What forager's CWM tools answer over the same files (the pure part of agent/formats/cwm/perform.ts). */
function toolObservation(action: Action, files: Record<string, string>): { observation: Observation; written?: [string, string] } {
  const printed = (ok: boolean, message: string) => observation(Buffer.from(`${message}\n`), '', ok ? 0 : 1);
  if (action.tool === 'edit') {
    const content = files[relative(action.path)];
    if (content === undefined) return { observation: printed(false, `The path ${action.path} does not exist. Please provide a valid path.`) };
    const outcome = applyCwmEdit(content, action.path, action.search, action.replace);
    return { observation: printed(outcome.ok, outcome.message), ...(outcome.ok ? { written: [relative(action.path), outcome.content] as [string, string] } : {}) };
  }
  if (action.tool === 'create') {
    const parent = posix.dirname(posix.resolve(ROOT, action.path));
    const parentExists = parent === ROOT || Object.keys(files).some((f) => posix.join(ROOT, f).startsWith(`${parent}/`));
    const answer = createMessage(action.path, { exists: files[relative(action.path)] !== undefined, parent, parentExists }, action.content);
    return { observation: printed(answer.ok, answer.message), ...(answer.ok ? { written: [relative(action.path), action.content] as [string, string] } : {}) };
  }
  const path = (action as Extract<Action, { tool: 'submit' }>).result!.trim();
  const content = files[relative(path)];
  return { observation: content === undefined ? observation(Buffer.alloc(0), `cat: ${path}: No such file or directory\n`, 1) : observation(Buffer.from(content), '', 0) };
}

function expectStop(decision: AgentDecision, info: string | undefined): void {
  expect(decision.type).toBe('stop');
  if (decision.type !== 'stop') return;
  if (info === 'eval stubbed') expect(decision.exitStatus).toBe('submitted');
  else if (info === 'Max turns reached') expect([decision.exitStatus, decision.reason]).toEqual(['max_steps', info]);
  else if (info?.startsWith('Context size exceeded')) expect([decision.exitStatus, decision.reason]).toEqual(['max_tokens', info]);
  else expect([decision.exitStatus, decision.reason]).toEqual(['format_errors', info]);
}

describe("forager's cwm format against CWM's own environment code", () => {
  it('has golden cases to compare with', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(17);
  });

  for (const golden of goldens) {
    it(`${golden.case.id}: builds CWM's prompts and opening token count`, () => {
      const s = settingsOf(golden);
      expect(cwmSystemPrompt(s)).toBe(golden.start.system);
      const ledger = new CwmLedger({ contextSize: s.contextSize, maxTurns: s.maxTurns, reasoning: s.reasoning, maxPromptTokens: 8192, maxResultTokens: 32_768 }, getTokenCounter('llama3'));
      const opening = ledger.start(golden.start.system, cwmUserPrompt(golden.case.issue ?? 'The tests fail.', ROOT));
      expect(opening.user.body).toBe(golden.start.user);
      expect(ledger.tokens).toBe(golden.start.tokens);
    });

    if (golden.turns.length === 0) continue;
    it(`${golden.case.id}: shows every result, error and budget CWM shows, and ends where CWM ends`, async () => {
      await playEpisode(golden);
    });

    it(`${golden.case.id}: the chat export in CWM's template is the token stream CWM's environment built`, async () => {
      const { agent, steps } = await playEpisode(golden);
      const s = settingsOf(golden);
      const input = { id: `golden-${golden.case.id}`, taskId: golden.case.id, steps: [] };
      const header = { ...buildHeader(input), agent: agent.describe(), workdir: ROOT };
      header.task.instruction = golden.case.issue ?? 'The tests fail.';
      header.limits = { ...header.limits, action_timeout_s: s.sessionTimeoutS };
      const record = buildConversation({ path: 'golden.jsonl', header, steps, footer: buildFooter(input) } as Trajectory, { toolFormat: 'cwm', template: 'cwm' });
      // CWM's episode: the opening observation, then each answer (closed by its end token) and what the environment answered.
      let stream = golden.start.observation_str;
      golden.turns.forEach((turn, i) => {
        stream += `${golden.case.turns[i]!.text}${CWM_TOKENS.endOfTurn}`;
        if (!turn.terminal) stream += turn.observation_str!.replace(/^<\|eot_id\|>/, '');
      });
      // The dialog ends with the last answer; CWM's stream ends with the next turn opened for the model.
      const open = `${CWM_TOKENS.startHeader}assistant${CWM_TOKENS.endHeader}\n\n${golden.start.assistant_prefix}`;
      if (!golden.turns.at(-1)!.terminal) stream = stream.slice(0, -open.length);
      expect(record.text).toBe(stream);
    });
  }
});

/** Drive CwmAgent through a golden episode, checking each turn against CWM's, and record its steps as the runner would. */
async function playEpisode(golden: Golden): Promise<{ agent: CwmAgent; steps: Step[] }> {
  const s = settingsOf(golden);
  const model = new ScriptedModel(golden.case.turns);
  const spec = ModelAgentSpecSchema.parse({
    type: 'model', base_url: 'http://127.0.0.1:9/v1', model: 'cwm', tool_format: 'cwm', context_window: s.contextSize,
    budgets: { max_turns: s.maxTurns }, cwm: { strict: s.strict, reasoning: s.reasoning, plugins: s.plugins },
  });
  const agent = new CwmAgent(spec, { client: model });
  await agent.start({ taskId: golden.case.id, instruction: golden.case.issue ?? 'The tests fail.', workdir: ROOT, maxSteps: 128, actionTimeoutS: s.sessionTimeoutS, signal: new AbortController().signal });
  let files = { ...(golden.case.files ?? {}) };
  const steps: Step[] = [];
  const record = (step: Omit<Step, 'type' | 'index' | 'started_at' | 'timing' | 'state'>) => steps.push({ type: 'step', index: steps.length, started_at: '2026-12-06T00:00:00.000Z', state: null, timing: { agent_ms: 0, action_ms: 0 }, ...step });
  for (const [i, expected] of golden.turns.entries()) {
    const decision = await agent.next(undefined, new AbortController().signal);
    if (i === 0) {
      expect(model.requests[0]!.messages.map((m) => m.content)).toEqual([golden.start.system, golden.start.user, ...(golden.start.assistant_prefix ? [golden.start.assistant_prefix] : [])]);
    }
    if (expected.terminal) {
      expectStop(decision, expected.info_message);
      if (decision.model) record({ action: null, observation: null, shown: '', model: decision.model });
      break;
    }
    let shown: string;
    if (decision.type === 'action') {
      const raw = golden.case.turns[i]!.raw;
      const result = decision.action.tool === 'bash' ? { observation: bashObservation(raw!) } : toolObservation(decision.action, files);
      shown = agent.render(decision.action, result.observation);
      expect({ role: 'tool', tool: decision.action.tool }).toEqual({ role: expected.message!.role, tool: expected.message!.tool });
      if ('written' in result && result.written) expect(expected.files_after[result.written[0]]).toBe(result.written[1]);
      record({ action: decision.action, observation: result.observation, shown, model: decision.model });
    } else if (decision.type === 'invalid') {
      shown = agent.renderInvalid(decision.problem);
      expect(decision.problem.tool ? 'tool' : 'user').toBe(expected.message!.role);
      record({ action: null, observation: null, shown, model: decision.model });
    } else {
      throw new Error(`turn ${i}: stopped (${decision.reason}) where CWM went on`);
    }
    expect(shown, `turn ${i}`).toBe(expected.message!.body);
    files = expected.files_after;
  }
  return { agent, steps };
}
