// @needs docker
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOfUsage, type Price, type Usage } from '../../src/model/index.js';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { anthropicMessage, startAnthropicServer, type AnthropicServer } from './support/anthropic-server.js';
import { completion, startChatServer, type ChatServer, type ReceivedRequest, type ScriptedReply } from './support/chat-server.js';
import { asReasoningModel, asStreaming } from './support/endpoints.js';

// Only the model is stood in for: each stand-in behaves like one kind of real endpoint.
// The example task (tasks/fix-calculator) runs on the real Docker engine, through the CLI.
const EXAMPLE = fileURLToPath(new URL('../../tasks/fix-calculator', import.meta.url));
const PRICES: Record<string, Price> = {
  'o3-mini': { input: 1.1, output: 4.4, cache_read: 0.55 },
  'claude-sonnet-4-5': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
};

/** The fix, one tool call a turn: run the tests, read the code, fix it, run the tests again, submit. */
const PLAN: Array<{ name: string; input: Record<string, unknown> }> = [
  { name: 'bash', input: { command: 'python3 -m pytest -q 2>&1 | tail -5' } },
  { name: 'view', input: { path: 'calc/ops.py' } },
  { name: 'edit', input: { path: 'calc/ops.py', search: '    return a - b', replace: '    return a + b' } },
  { name: 'bash', input: { command: 'python3 -m pytest -q 2>&1 | tail -3' } },
  { name: 'submit', input: { result: 'fixed add() in calc/ops.py' } },
];
const turnOf = (request: ReceivedRequest) => (request.body.messages as Array<{ role: string }>).filter((m) => m.role === 'assistant').length;

/** A function-calling model that follows PLAN whatever conversation asks (so concurrent runs share it). */
function planned(usage: (turn: number) => { prompt_tokens: number; completion_tokens: number }) {
  return (request: ReceivedRequest): ScriptedReply => {
    const turn = turnOf(request);
    const step = PLAN[Math.min(turn, PLAN.length - 1)]!;
    return { body: completion({ content: `Step ${turn}.`, reasoning_content: `plan step ${turn}`, tool_calls: [{ name: step.name, arguments: step.input, id: `call_${turn}` }], usage: usage(turn) }) };
  };
}

let root: string;
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  root = await tempDir('forager-endpoints-e2e-');
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** Copies of the example task (its own scripted agent stays: --agent-file replaces it), one per id. */
async function exampleTasks(name: string, ids: string[]): Promise<string> {
  const dir = join(root, name, 'tasks');
  for (const id of ids) {
    await cp(EXAMPLE, join(dir, id), { recursive: true });
    const file = join(dir, id, 'task.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^id: fix-calculator$/m, `id: ${id}`));
  }
  return dir;
}

interface Harvested {
  out: string;
  cli: CliResult;
  trajectories: Trajectory[];
  stats: Record<string, any>;
  status: Record<string, any>;
}

/** `forager harvest --agent-file` over the tasks, then `stats --json` and `status --json` of the batch. */
async function harvestWith(name: string, ids: string[], agent: Record<string, unknown>, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Harvested> {
  const tasks = await exampleTasks(name, ids);
  const agentFile = join(root, name, 'agent.yaml');
  await writeFile(agentFile, stringify(agent));
  const pricesFile = join(root, name, 'prices.json');
  await writeFile(pricesFile, JSON.stringify(PRICES));
  const out = join(root, name, 'out');
  const runId = testRunId();
  const cli = await runCli(['harvest', tasks, '--out', out, '--agent-file', agentFile, '--prices', pricesFile, '--run-id', runId, '--quiet', '--concurrency', '1', ...args], { env });
  expect(await containersOf(runId)).toEqual([]);
  const trajectories: Trajectory[] = [];
  for (const id of ids) {
    const path = join(out, 'trajectories', id, '0.jsonl');
    const found = await readTrajectory(path).catch(() => undefined);
    if (found) trajectories.push(found);
  }
  const stats = JSON.parse((await runCli(['stats', out, '--json'])).stdout) as Record<string, any>;
  const status = JSON.parse((await runCli(['status', out, '--json'])).stdout) as Record<string, any>;
  return { out, cli, trajectories, stats, status };
}

/** The price table applied to what the trajectory recorded, recomputed here from the usage alone. */
function expectedCost(trajectory: Trajectory, price: Price): number {
  return trajectory.steps.reduce((sum, s) => sum + costOfUsage(s.model!.usage as Usage, price), 0);
}

/** The trajectory solved the example: every planned tool, the fix in the patch, the tests green. */
function expectSolved(trajectory: Trajectory): void {
  expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null, submission: 'fixed add() in calc/ops.py' });
  expect(trajectory.steps.map((s) => s.action?.tool)).toEqual(PLAN.map((p) => p.name));
  expect(trajectory.steps[0]!.shown).toContain('failed');
  expect(trajectory.steps[3]!.shown).toContain('4 passed');
}

/** Cost in the footer, `stats`, `status` and the end summary all equal the price table applied to the usage. */
function expectCostsAgree(run: Harvested, cost: number): void {
  expect(run.trajectories[0]!.footer!.totals.cost_usd).toBeCloseTo(cost, 9);
  expect(run.stats.cost_usd).toBeCloseTo(cost, 9);
  expect(run.status.costUsd).toBeCloseTo(cost, 9);
  const printed = /^cost ([\d.e-]+) USD$/m.exec(run.cli.stdout);
  expect(printed, run.cli.stdout).not.toBeNull();
  expect(Number(printed![1])).toBeCloseTo(cost, 9);
}

describe.concurrent('model endpoints solving the example task', () => {
  it('an OpenAI reasoning model: max_completion_tokens, no temperature, cached and reasoning tokens priced', async () => {
    const server: ChatServer = await startChatServer(Array.from({ length: 10 }, () => asReasoningModel(planned((t) => ({ prompt_tokens: 1_500 + 400 * t, completion_tokens: 300 })), { cached: 1_024, reasoning: 192 })));
    closers.push(() => server.close());
    const run = await harvestWith('reasoning', ['fc-reasoning'], { type: 'model', base_url: server.url, model: 'o3-mini', tool_format: 'openai', reasoning_effort: 'low', max_tokens: 2_048, budgets: { max_turns: 10 } });
    expect(run.cli.code, run.cli.stderr).toBe(0);
    const [trajectory] = run.trajectories;
    expectSolved(trajectory!);
    expect(server.requests.every((r) => r.body.max_completion_tokens === 2_048 && !('max_tokens' in r.body) && !('temperature' in r.body) && r.body.reasoning_effort === 'low')).toBe(true);
    expect(trajectory!.steps[1]!.model!.usage).toEqual({ prompt_tokens: 1_900, completion_tokens: 300, total_tokens: 2_200, cache_read_tokens: 1_024, reasoning_tokens: 192 });
    expect(trajectory!.footer!.totals).toMatchObject({ prompt_tokens: 11_500, completion_tokens: 1_500, cache_read_tokens: 5 * 1_024, reasoning_tokens: 5 * 192 });
    // By hand: uncached 11 500 − 5 120 at 1.1, cached 5 120 at 0.55, 1 500 completion at 4.4, per million.
    const cost = (6_380 * 1.1 + 5_120 * 0.55 + 1_500 * 4.4) / 1e6;
    expect(expectedCost(trajectory!, PRICES['o3-mini']!)).toBeCloseTo(cost, 12);
    expectCostsAgree(run, cost);
  });

  it("Anthropic's Messages API: tool use, thinking sent back with signatures, cache writes and reads priced", async () => {
    const server: AnthropicServer = await startAnthropicServer(Array.from({ length: 10 }, () => (request: ReceivedRequest) => {
      const turn = turnOf(request);
      const step = PLAN[Math.min(turn, PLAN.length - 1)]!;
      // The first call writes the prefix to the cache, later calls read it and write what is new.
      const usage = { input_tokens: 30, output_tokens: 120, cache_creation_input_tokens: turn === 0 ? 2_000 : 300, cache_read_input_tokens: turn === 0 ? 0 : 2_000 + 300 * (turn - 1) };
      return { body: anthropicMessage({ thinking: `turn ${turn}: next is ${step.name}`, text: `Step ${turn}.`, toolUses: [{ name: step.name, input: step.input }], usage }) };
    }), { apiKey: 'sk-ant-e2e-secret' });
    closers.push(() => server.close());
    const run = await harvestWith('anthropic', ['fc-anthropic'], {
      type: 'model', endpoint: 'anthropic', base_url: server.url, model: 'claude-sonnet-4-5', api_key_env: 'FORAGER_E2E_ANTHROPIC_KEY', tool_format: 'openai',
      max_tokens: 4_096, extra_body: { thinking: { type: 'enabled', budget_tokens: 1_024 } }, budgets: { max_turns: 10 },
    }, [], { FORAGER_E2E_ANTHROPIC_KEY: 'sk-ant-e2e-secret' });
    expect(run.cli.code, run.cli.stderr).toBe(0);
    expect(server.refusals).toEqual([]);
    const [trajectory] = run.trajectories;
    expectSolved(trajectory!);
    // Every later request carried the earlier turns' thinking blocks first, signatures intact (the stand-in checks), and the cache marks.
    const last = server.requests.at(-1)!.body;
    expect(last.thinking).toEqual({ type: 'enabled', budget_tokens: 1_024 });
    expect(last.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(last.messages.at(-1).content.at(-1)).toMatchObject({ type: 'tool_result', cache_control: { type: 'ephemeral' } });
    const assistantTurns = last.messages.filter((m: { role: string }) => m.role === 'assistant');
    expect(assistantTurns.map((m: { content: Array<{ type: string }> }) => m.content[0]!.type)).toEqual(['thinking', 'thinking', 'thinking', 'thinking']);
    expect(assistantTurns[0].content[0]).toEqual(trajectory!.steps[0]!.model!.thinking_blocks![0]);
    expect(trajectory!.steps[0]!.model).toMatchObject({ reasoning: 'turn 0: next is bash', thinking_blocks: [{ type: 'thinking', signature: expect.stringMatching(/^sig-/) }], finish_reason: 'tool_use' });
    expect(trajectory!.steps[1]!.model!.usage).toEqual({ prompt_tokens: 2_330, completion_tokens: 120, total_tokens: 2_450, cache_read_tokens: 2_000, cache_write_tokens: 300 });
    const text = await readFile(join(run.out, 'trajectories', 'fc-anthropic', '0.jsonl'), 'utf8');
    expect(text).not.toContain('sk-ant-e2e-secret');
    // By hand: 5 × 30 uncached at 3; writes 2 000 + 4 × 300 at 3.75; reads 2 000+2 300+2 600+2 900 at 0.3; 600 output at 15.
    const cost = (150 * 3 + 3_200 * 3.75 + 9_800 * 0.3 + 600 * 15) / 1e6;
    expect(expectedCost(trajectory!, PRICES['claude-sonnet-4-5']!)).toBeCloseTo(cost, 12);
    expectCostsAgree(run, cost);
  });

  it('a streaming endpoint, configured through FORAGER_* variables: tool calls assembled from deltas, usage from the last chunk, time to first token', async () => {
    const server: ChatServer = await startChatServer(Array.from({ length: 10 }, () => asStreaming(planned(() => ({ prompt_tokens: 800, completion_tokens: 50 })), 2)));
    closers.push(() => server.close());
    const run = await harvestWith('streaming', ['fc-stream'], { type: 'model', base_url: server.url, model: 'qwen-coder-stream', tool_format: 'openai', budgets: { max_turns: 10 } }, [], {
      FORAGER_STREAM: '1', FORAGER_TEMPERATURE: '0.2', FORAGER_REQUEST_TIMEOUT: '45', FORAGER_MODEL_RETRIES: '1', FORAGER_PRICE_INPUT: '0.5', FORAGER_PRICE_OUTPUT: '1.5',
    });
    expect(run.cli.code, run.cli.stderr).toBe(0);
    const [trajectory] = run.trajectories;
    expectSolved(trajectory!);
    expect(trajectory!.header.agent).toMatchObject({ type: 'model', model: { stream: true, temperature: 0.2, request_timeout_s: 45, max_retries: 1 } });
    expect(server.requests.every((r) => r.body.stream === true && r.body.stream_options?.include_usage === true && r.body.temperature === 0.2)).toBe(true);
    expect(trajectory!.steps[2]!.model).toMatchObject({
      raw_text: 'Step 2.', reasoning: 'plan step 2', finish_reason: 'tool_calls',
      tool_calls: [{ id: 'call_2', name: 'edit', arguments: JSON.stringify(PLAN[2]!.input) }],
      usage: { prompt_tokens: 800, completion_tokens: 50, total_tokens: 850 },
    });
    for (const step of trajectory!.steps) expect(step.model!.ttft_ms).toBeGreaterThan(0);
    const cost = (5 * 800 * 0.5 + 5 * 50 * 1.5) / 1e6;
    expectCostsAgree(run, cost);
  });

  it('--cost-limit ends an attempt as max_cost, and --batch-cost-limit stops the batch with the reason', async () => {
    // o3-mini at 1 000 prompt + 100 completion tokens a call: 0.00154 USD a call.
    const server: ChatServer = await startChatServer(Array.from({ length: 30 }, () => asReasoningModel(planned(() => ({ prompt_tokens: 1_000, completion_tokens: 100 })), { cached: 0, reasoning: 50 })));
    closers.push(() => server.close());
    const agent = { type: 'model', base_url: server.url, model: 'o3-mini', tool_format: 'openai', budgets: { max_turns: 10 } };
    const limited = await harvestWith('cost-limit', ['fc-limit'], agent, ['--cost-limit', '0.003']);
    const [stopped] = limited.trajectories;
    expect(stopped!.footer).toMatchObject({ exit_status: 'max_cost', failure_kind: 'agent', error: { code: 'MAX_COST', message: expect.stringContaining('of its 0.003') } });
    expect(stopped!.steps).toHaveLength(2);
    expect(stopped!.footer!.totals.cost_usd).toBeCloseTo(2 * 0.00154, 12);

    const batch = await harvestWith('batch-cost-limit', ['fc-b1', 'fc-b2', 'fc-b3'], agent, ['--batch-cost-limit', '0.005']);
    expect(batch.cli.code).toBe(1);
    expect(batch.cli.stdout).toMatch(/^stopped early: batch cost limit reached: 0\.0077 USD spent of 0\.005$/m);
    expect(batch.trajectories).toHaveLength(1);
    expectSolved(batch.trajectories[0]!);
    expect(batch.status).toMatchObject({ planned: 3, complete: 1, pending: 2, stopped: expect.stringContaining('batch cost limit reached') });
    expectCostsAgree(batch, 5 * 0.00154);
  });
});
