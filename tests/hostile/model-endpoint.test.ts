// @needs docker
import { afterAll, describe, expect, it } from 'vitest';
import { expectHarvesterHeld, runHostile, type HostileRun } from './state-helpers.js';
import { endless, json, startHostileEndpoint, trickle, type Answer, type HostileEndpoint } from './hostile-endpoint.js';

// A model endpoint is untrusted input: every byte it sends is counted before it is buffered.
// Each attack drives `forager run` (a child process, on the real engine) with a model agent
// against a local hostile server; the harvester must live within its memory bound, the record
// must be true, and the run must end with the endpoint's failure, not the agent's or forager's.

const MiB = 1024 * 1024;
const SSE = { 'content-type': 'text/event-stream' };
const JSON_TYPE = { 'content-type': 'application/json' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const answer = (message: Record<string, unknown>, finish = 'tool_calls') => ({ id: 'chatcmpl-h', object: 'chat.completion', choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: null, ...message } }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
const submit = json(answer({ tool_calls: [{ id: 'done', type: 'function', function: { name: 'submit', arguments: '{"result":"ok"}' } }] }));

const endpoints: HostileEndpoint[] = [];
afterAll(async () => Promise.all(endpoints.map((e) => e.close())));

/** `forager run` of a one-line task whose agent is a model at a hostile endpoint answering `answers` in turn. */
async function runAgainst(answers: Answer[], agent: Record<string, unknown> = {}): Promise<{ run: HostileRun; endpoint: HostileEndpoint }> {
  const endpoint = await startHostileEndpoint(answers);
  endpoints.push(endpoint);
  const run = await runHostile([{ tool: 'submit' }], {
    agent: { type: 'model', base_url: endpoint.url, model: 'm', tool_format: 'openai', max_retries: 0, ...agent },
    limits: { wall_time_s: 120 },
  });
  return { run, endpoint };
}

function expectEndpointFailure(run: HostileRun, code: string): void {
  expect(run.footer, run.stderr.slice(-2000)).toMatchObject({ exit_status: 'error', failure_kind: 'infrastructure', error: { kind: 'infrastructure', code } });
  expect(run.code).toBe(3);
}

describe('hostile model endpoints', () => {
  it('a 200 answer with a 2 GB body is refused at the response limit (32 MiB): the harvester lives, reads no more, ends MODEL_RESPONSE_TOO_LARGE', async () => {
    const head = '{"id":"x","object":"chat.completion","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"';
    const { run, endpoint } = await runAgainst([endless(200, JSON_TYPE, head, 'a', 2 * 1024 * MiB)]);
    await expectHarvesterHeld(run);
    expectEndpointFailure(run, 'MODEL_RESPONSE_TOO_LARGE');
    expect(run.footer.error!.message).toContain('the response limit is 33554432 bytes (max_response_bytes, --max-response)');
    expect(run.steps).toEqual([]);
    // What the server managed to push: the limit, plus what the sockets buffered before the client hung up.
    expect(endpoint.sent()).toBeLessThan(96 * MiB);
  });

  it('a 500 answer with a 2 GB body is read only for its message (64 KiB), retried, and ends MODEL_HTTP_500', async () => {
    const { run, endpoint } = await runAgainst([endless(500, JSON_TYPE, '{"error":{"message":"', 'b', 2 * 1024 * MiB)], { max_retries: 1 });
    await expectHarvesterHeld(run);
    expectEndpointFailure(run, 'MODEL_HTTP_500');
    expect(run.footer.error!.message).toMatch(/^model endpoint answered 500: \{"error":\{"message":"b+$/);
    expect(endpoint.requests()).toBe(2);
    expect(endpoint.sent()).toBeLessThan(2 * 64 * MiB);
  });

  it('100 MB of tool-call arguments are refused at the response limit; 5 MB ones inside it are not run, the model is told why, the record stays small', async () => {
    const big = endless(200, JSON_TYPE, '{"id":"x","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"bash","arguments":"{\\"command\\":\\"echo ', 'x', 100 * MiB);
    const refused = await runAgainst([big]);
    await expectHarvesterHeld(refused.run);
    expectEndpointFailure(refused.run, 'MODEL_RESPONSE_TOO_LARGE');

    const args = JSON.stringify({ command: `echo ${'y'.repeat(5 * MiB)}` });
    const { run } = await runAgainst([json(answer({ tool_calls: [{ id: 'huge', type: 'function', function: { name: 'bash', arguments: args } }] })), submit]);
    await expectHarvesterHeld(run);
    expect(run.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
    const [first] = run.steps;
    expect(first).toMatchObject({ action: null, tool_call_id: 'huge', model: { tool_calls: [{ id: 'huge', name: 'bash', arguments_bytes: args.length }] } });
    expect(first!.shown).toBe(`FormatError: the arguments of this bash call are ${args.length} bytes, more than the 1048576 bytes a tool call may have (max_tool_call_bytes); it was not carried out. Make the change in smaller pieces.`);
    expect(first!.model!.tool_calls![0]!.arguments).toBe(args.slice(0, 4096));
    expect(JSON.stringify(run.steps).length).toBeLessThan(64 * 1024);
  });

  it('an SSE stream with no event boundary ends at its idle deadline (MODEL_STREAM_IDLE), retried, well inside --request-timeout, not as WALL_TIME', async () => {
    const { run, endpoint } = await runAgainst([trickle(SSE, 'data: ', 'x'.repeat(100), 20)], { stream: true, stream_idle_timeout_s: 2, request_timeout_s: 60, max_retries: 1 });
    await expectHarvesterHeld(run);
    expectEndpointFailure(run, 'MODEL_STREAM_IDLE');
    expect(run.footer.error!.message).toContain('sent no event for 2000 ms');
    expect(endpoint.requests()).toBe(2);
    expect(run.footer.duration_ms).toBeLessThan(30_000);
  });

  it('an SSE stream with no event boundary sent fast, and endless well-formed deltas, end at the response limit, not as INTERNAL', async () => {
    const boundless = await runAgainst([endless(200, SSE, 'data: ', 'x')], { stream: true });
    await expectHarvesterHeld(boundless.run);
    expectEndpointFailure(boundless.run, 'MODEL_RESPONSE_TOO_LARGE');
    expect(boundless.run.footer.error!.message).toMatch(/streamed (one event larger than that|more than that)/);

    const deltas = await runAgainst([endless(200, SSE, chunk({ role: 'assistant', content: '' }), chunk({ content: 'z'.repeat(1000) }) + chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'bash', arguments: 'w'.repeat(1000) } }] }))], { stream: true });
    await expectHarvesterHeld(deltas.run);
    expectEndpointFailure(deltas.run, 'MODEL_RESPONSE_TOO_LARGE');
  });

  it('Retry-After: 1e9 fails the request at once (MODEL_RETRY_AFTER_TOO_LONG) instead of sleeping into the wall time', async () => {
    const { run, endpoint } = await runAgainst([json({ error: { message: 'slow down' } }, 429, { 'retry-after': '1e9' })], { max_retries: 5 });
    await expectHarvesterHeld(run);
    expectEndpointFailure(run, 'MODEL_RETRY_AFTER_TOO_LONG');
    expect(run.footer.error!.message).toContain('asked to be retried in 1000000000 s, more than the 60 s forager waits');
    expect(endpoint.requests()).toBe(1);
    expect(run.footer.duration_ms).toBeLessThan(30_000);
  });

  it('a stream whose writes end between \\r and \\n, inside data: and inside a UTF-8 character is read whole', async () => {
    const events = [
      { role: 'assistant', content: 'é' },
      { tool_calls: [{ index: 0, id: 'crlf', type: 'function', function: { name: 'submit', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"result":"ü ok"}' } }] },
    ];
    // Each event's data over two lines, CRLF ends, each write cut after every \r, inside `data:` and inside é/ü.
    const text = events.map((d) => { const data = JSON.stringify({ id: 'h', choices: [{ index: 0, delta: d, finish_reason: null }] }); return `data: ${data.slice(0, 1)}\r\ndata: ${data.slice(1)}\r\n\r\n`; }).join('') + 'data: [DONE]\r\n\r\n';
    const bytes = Buffer.from(text);
    const cuts = [...bytes.keys()].filter((i) => bytes[i] === 0x0d || bytes[i] === 0xc3 || (bytes[i] === 0x61 && bytes[i - 1] === 0x64)).map((i) => i + 1);
    const split: Answer = async (res) => {
      res.writeHead(200, SSE);
      let from = 0;
      for (const to of [...cuts, bytes.length]) {
        res.write(bytes.subarray(from, to));
        from = to;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
    };
    const { run } = await runAgainst([split], { stream: true });
    await expectHarvesterHeld(run);
    expect(run.footer, run.stderr.slice(-2000)).toMatchObject({ exit_status: 'submitted', submission: 'ü ok' });
    expect(run.steps[0]!.model).toMatchObject({ raw_text: 'é', tool_calls: [{ id: 'crlf', name: 'submit', arguments: '{"result":"ü ok"}' }] });
  });
});
