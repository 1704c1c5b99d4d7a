// @needs docker
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import type { ModelTurn } from '../../src/trajectory/schema.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';
import { SDK_EXPECTED, SDK_FIXTURES, startReplayServer, type ReplayServer, type SdkFixture } from './support/sdk-fixtures.js';
import { sdkParamType, typeCheckBodies } from './support/sdk-types.js';

// Answers recorded in the official SDKs' own tests (tests/fixtures/sdk/fixtures.json names each
// one's repository, commit and path) are replayed byte for byte into `forager run` on the real
// engine; each step's record must equal what the SDK itself returns for the same bytes
// (tests/fixtures/sdk/expected.json, produced once by scripts/sdk-expected.ts).

const PRICE = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 };

/** The runs: a group of fixtures each, under agent settings that vary what the requests carry. */
const RUNS: Array<{ name: string; fixtures: string; agent: Record<string, unknown>; ends: { exit_status: string; code: string } }> = [
  { name: 'openai-stream', fixtures: 'openai-stream', agent: { endpoint: 'openai', model: 'o3-mini', stream: true, tool_format: 'openai', reasoning_effort: 'low', seed: 7, stop: ['</done>'] }, ends: { exit_status: 'refused', code: 'REFUSED' } },
  { name: 'openai-json', fixtures: 'openai-json', agent: { endpoint: 'openai', model: 'gpt-4o', tool_format: 'openai', temperature: 0, top_p: 0.9, max_tokens: 1024 }, ends: { exit_status: 'max_steps', code: 'MAX_STEPS' } },
  { name: 'openai-json-cwm', fixtures: 'openai-json', agent: { endpoint: 'openai', model: 'facebook/cwm', tool_format: 'cwm', observation_role: 'user', context_window: 131_072 }, ends: { exit_status: 'max_steps', code: 'MAX_STEPS' } },
  { name: 'anthropic-stream', fixtures: 'anthropic-stream', agent: { endpoint: 'anthropic', model: 'claude-opus-4-8', stream: true, tool_format: 'openai', extra_body: { thinking: { type: 'enabled', budget_tokens: 2048 } } }, ends: { exit_status: 'refused', code: 'REFUSED' } },
  { name: 'anthropic-json', fixtures: 'anthropic-json', agent: { endpoint: 'anthropic', model: 'claude-sonnet-4-5', anthropic_version: '2023-06-01', temperature: 0.5, tool_format: 'cwm', prompt_cache: false }, ends: { exit_status: 'max_steps', code: 'MAX_STEPS' } },
];

interface Replayed {
  fixtures: SdkFixture[];
  trajectory: Trajectory;
  server: ReplayServer;
  run: (typeof RUNS)[number];
}

const replayed = new Map<string, Replayed>();
let folder: string;
const servers: ReplayServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

beforeAll(async () => {
  folder = await tempDir('forager-sdk-fixtures-');
  await writeFile(join(folder, 'prices.json'), JSON.stringify({ '*': PRICE }));
  for (const run of RUNS) {
    const fixtures = SDK_FIXTURES.filter((f) => f.run === run.fixtures);
    const server = await startReplayServer(fixtures);
    servers.push(server);
    const endpoint = run.agent.endpoint === 'openai' ? `${server.url}/v1` : server.url;
    const agent = { type: 'model', base_url: endpoint, budgets: { max_turns: fixtures.length, max_format_errors: 100 }, ...run.agent };
    const task = await writeTask([{ tool: 'submit' }], { id: `sdk-${run.name}`, agent, limits: { wall_time_s: 120, max_steps: 50 } }, join(folder, run.name));
    const out = join(folder, `${run.name}.jsonl`);
    const runId = testRunId();
    const cli = await runCli(['run', task, '--out', out, '--run-id', runId, '--prices', join(folder, 'prices.json')]);
    expect(await containersOf(runId)).toEqual([]);
    const trajectory = await readTrajectory(out).catch((error: unknown) => { throw new Error(`${run.name}: ${String(error)}\n${cli.stderr}`); });
    replayed.set(run.name, { fixtures, trajectory, server, run });
  }
}, 300_000);

/** The model turn forager must record for what the SDK returned (the mapping docs/model-agents.md describes). */
function expectedTurn(fixture: SdkFixture, sdk: any): Partial<ModelTurn> {
  if (fixture.endpoint === 'openai') {
    const choice = sdk.choices[0];
    const message = choice.message;
    const turn: Partial<ModelTurn> = { raw_text: message.content ?? '', finish_reason: choice.finish_reason, response_id: sdk.id };
    if (message.refusal) turn.refusal = message.refusal;
    if (message.tool_calls?.length) turn.tool_calls = message.tool_calls.map((c: any, i: number) => ({ id: c.id || `call_${i}`, name: c.function.name, arguments: c.function.arguments }));
    if (sdk.usage) {
      const u = sdk.usage;
      turn.usage = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
      if (u.prompt_tokens_details?.cached_tokens != null) turn.usage.cache_read_tokens = u.prompt_tokens_details.cached_tokens;
      if (u.completion_tokens_details?.reasoning_tokens != null) turn.usage.reasoning_tokens = u.completion_tokens_details.reasoning_tokens;
    }
    return turn;
  }
  const blocks = sdk.content as any[];
  const thinking = blocks.filter((b) => b.type === 'thinking');
  const turn: Partial<ModelTurn> = { raw_text: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''), finish_reason: sdk.stop_reason, response_id: sdk.id };
  if (thinking.length) {
    turn.reasoning = thinking.map((b) => b.thinking).join('\n\n');
    turn.thinking_blocks = thinking.map((b) => ({ type: 'thinking', thinking: b.thinking, signature: b.signature }));
  }
  const uses = blocks.filter((b) => b.type === 'tool_use');
  if (uses.length) turn.tool_calls = uses.map((b) => ({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) }));
  if (sdk.stop_reason === 'refusal') turn.refusal = sdk.stop_details?.explanation ?? '';
  const u = sdk.usage;
  const write = u.cache_creation_input_tokens ?? 0;
  const read = u.cache_read_input_tokens ?? 0;
  turn.usage = { prompt_tokens: u.input_tokens + write + read, completion_tokens: u.output_tokens, total_tokens: u.input_tokens + write + read + u.output_tokens, cache_read_tokens: read, cache_write_tokens: write };
  if (u.output_tokens_details?.thinking_tokens != null) turn.usage.reasoning_tokens = u.output_tokens_details.thinking_tokens;
  return turn;
}

/** The price table applied to the SDK's usage, by hand. */
function expectedCost(usage: NonNullable<ModelTurn['usage']>): number {
  const read = usage.cache_read_tokens ?? 0;
  const write = usage.cache_write_tokens ?? 0;
  return ((usage.prompt_tokens - read - write) * PRICE.input + read * PRICE.cache_read + write * PRICE.cache_write + usage.completion_tokens * PRICE.output) / 1e6;
}

describe('answers recorded in the official SDKs\' tests, replayed into forager run', () => {
  it(`were read by the SDKs themselves to make the expected values (openai ${SDK_EXPECTED.sdks.openai}, @anthropic-ai/sdk ${SDK_EXPECTED.sdks['@anthropic-ai/sdk']})`, () => {
    for (const fixture of SDK_FIXTURES) {
      expect(SDK_EXPECTED.results[fixture.file], fixture.file).toBeDefined();
      expect(fixture.source.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  for (const run of RUNS) {
    it(`${run.name}: records each answer's text, refusal, reasoning, tool calls, usage and cost as the SDK returns them`, () => {
      const { fixtures, trajectory } = replayed.get(run.name)!;
      expect(trajectory.steps.map((s) => s.index)).toEqual(fixtures.map((_, i) => i));
      let cost = 0;
      fixtures.forEach((fixture, i) => {
        const recorded = trajectory.steps[i]!.model!;
        const expected = expectedTurn(fixture, SDK_EXPECTED.results[fixture.file]);
        const label = `${run.name} step ${i}: ${fixture.file}`;
        if (fixture.file === 'anthropic/incomplete-partial-json-response.sse') {
          // Cut by max_tokens: forager keeps the tool input as exactly the text that came (the
          // SDK's partial parse of that text is in expected.json), not a guess at the rest.
          const [call] = recorded.tool_calls!;
          expect(() => JSON.parse(call!.arguments)).toThrow();
          expect(call!.arguments, label).toBe(streamedToolInput(fixture.file));
          expect(JSON.parse(expected.tool_calls![0]!.arguments), label).toBeTypeOf('object');
          expect({ ...recorded, tool_calls: undefined }, label).toMatchObject({ ...expected, tool_calls: undefined });
        } else {
          expect(recorded, label).toMatchObject(expected);
        }
        for (const key of ['refusal', 'reasoning', 'tool_calls', 'usage', 'thinking_blocks'] as const) {
          if (expected[key] === undefined) expect(recorded[key], `${label}: ${key}`).toBeUndefined();
        }
        if (expected.usage) {
          expect(recorded.usage, label).toEqual(expected.usage);
          expect(recorded.cost_usd, label).toBeCloseTo(expectedCost(expected.usage), 9);
          cost += expectedCost(expected.usage);
        } else expect(recorded.cost_usd, label).toBeUndefined();
      });
      expect(trajectory.footer).toMatchObject({ exit_status: run.ends.exit_status, failure_kind: 'agent', error: { code: run.ends.code } });
      expect(trajectory.footer!.totals.cost_usd ?? 0).toBeCloseTo(cost, 9);
    });
  }

  it('sends request bodies that type-check against the SDKs\' own param types (openai; @anthropic-ai/sdk 1.17.0 for 2026-10-21, 0.137.0 for 2023-06-01)', async () => {
    const bodies = [...replayed.values()].flatMap(({ server, run }) => server.requests.map((request, i) => ({
      label: `${run.name} request ${i}`,
      type: sdkParamType(run.agent.endpoint as 'openai' | 'anthropic', request.body, request.headers['anthropic-version'] as string | undefined),
      body: request.body,
    })));
    expect(bodies.length).toBeGreaterThanOrEqual(14);
    // The check itself can fail: a field the current Messages API version does not take.
    const wrong = { label: 'temperature under 2026-10-21', type: 'Anthropic20261021Plain', body: { ...bodies.find((b) => b.type === 'Anthropic20230601Plain')!.body, temperature: 0.5 } };
    const errors = await typeCheckBodies([...bodies, wrong]);
    expect(Object.fromEntries(bodies.map((b, i) => [b.label, errors[i]]))).toEqual(Object.fromEntries(bodies.map((b) => [b.label, []])));
    expect(errors.at(-1)!.join('\n')).toMatch(/'"temperature"' does not exist in type 'MessageCreateParamsNonStreaming'/);
  }, 120_000);
});

/** The tool input a recorded stream carried: its input_json_delta pieces, joined. */
function streamedToolInput(file: string): string {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/sdk/${file}`, import.meta.url)), 'utf8');
  return [...text.matchAll(/^data: (.*)$/gm)]
    .map((m) => JSON.parse(m[1]!) as { delta?: { type?: string; partial_json?: string } })
    .filter((e) => e.delta?.type === 'input_json_delta')
    .map((e) => e.delta!.partial_json!)
    .join('');
}
