import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeEvents, type ReceivedRequest, type ScriptedReply } from './chat-server.js';

type Block = Record<string, any>;

export interface AnthropicServer {
  /** Base URL, e.g. http://127.0.0.1:PORT (the client appends /v1/messages). */
  url: string;
  requests: ReceivedRequest[];
  /** Requests refused with a 400, and why. */
  refusals: string[];
  close(): Promise<void>;
}

/**
 * A local HTTP server speaking Anthropic's Messages API, strict where the real one is:
 * it wants `anthropic-version`, `max_tokens` and alternating turns; every `tool_use` must
 * be answered by a `tool_result` in the next user turn; and every assistant turn it gave
 * with thinking must come back starting with exactly those thinking blocks, signatures
 * intact (or it answers 400, as the real API does). Each POST gets the next answer
 * from `script` (a message body, see anthropicMessage()). It stands in for the model only.
 */
export async function startAnthropicServer(
  script: Array<(request: ReceivedRequest) => ScriptedReply>,
  options: { apiKey?: string } = {},
): Promise<AnthropicServer> {
  const requests: ReceivedRequest[] = [];
  const refusals: string[] = [];
  const issuedThinking = new Map<string, Block[]>();
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== '/v1/messages') return send(404, { type: 'error', error: { type: 'not_found_error', message: 'not found' } });
      const received = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers, at: performance.now() };
      requests.push(received);
      if (options.apiKey && req.headers['x-api-key'] !== options.apiKey) return send(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      const problem = checkRequest(received, issuedThinking);
      if (problem) {
        refusals.push(problem);
        return send(400, { type: 'error', error: { type: 'invalid_request_error', message: problem } });
      }
      const entry = script[next++];
      if (!entry) return send(500, { type: 'error', error: { type: 'api_error', message: 'script exhausted' } });
      const reply = entry(received);
      const body = reply.body as { content?: Block[] };
      if ((reply.status ?? 200) === 200 && body.content) {
        const thinking = body.content.filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
        for (const use of body.content.filter((b) => b.type === 'tool_use')) if (thinking.length) issuedThinking.set(use.id, thinking);
      }
      // A request with stream: true gets the same message as the API streams it (or the reply's own events).
      if (received.body.stream === true && (reply.status ?? 200) === 200) {
        const events = reply.sse ?? anthropicEvents(reply.body as Record<string, any>);
        void writeEvents(res, events, reply.delayMs ?? 0, reply.cut === true);
        return;
      }
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refusals,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function checkRequest(request: ReceivedRequest, issuedThinking: Map<string, Block[]>): string | undefined {
  const body = request.body;
  const version = request.headers['anthropic-version'];
  if (version !== '2023-06-01' && version !== '2026-10-21') return `anthropic-version header: required (one of 2023-06-01, 2026-10-21), got ${String(version)}`;
  const sampling = refusedSampling(String(version), String(body.model), body);
  if (sampling) return sampling;
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  const messages = body.messages as Array<{ role: string; content: Block[] | string }>;
  // With thinking on, the assistant turn holding the last tool_use must start with its thinking.
  if (body.thinking && body.thinking.type !== 'disabled') {
    const blocksOf = (m: { content: Block[] | string }): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);
    const last = messages.map((m, i) => [m, i] as const).filter(([m]) => m.role === 'assistant' && blocksOf(m).some((b) => b.type === 'tool_use')).at(-1);
    const first = last ? blocksOf(last[0])[0] : undefined;
    if (last && first?.type !== 'thinking' && first?.type !== 'redacted_thinking') {
      return `messages.${last[1]}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`;
    }
  }
  for (const [i, message] of messages.entries()) {
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (message.role !== expected) return `messages.${i}.role: roles must alternate between "user" and "assistant", starting with "user"`;
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role !== 'assistant') continue;
    const uses = blocks.filter((b) => b.type === 'tool_use');
    const following = messages[i + 1];
    const results = following && typeof following.content !== 'string' ? following.content.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : [];
    const missing = uses.filter((u) => !results.includes(u.id));
    if (following && missing.length) return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${missing.map((u) => u.id).join(', ')}`;
    const thinking = uses.map((u) => issuedThinking.get(u.id)).find((t) => t !== undefined);
    if (thinking) {
      const sent = blocks.slice(0, thinking.length).map(({ cache_control: _, ...b }) => b);
      if (JSON.stringify(sent) !== JSON.stringify(thinking)) {
        return `messages.${i}.content.0: Invalid \`signature\` in \`thinking\` block, or the thinking blocks of this assistant turn were not sent back first and unchanged`;
      }
    }
  }
  return undefined;
}

/**
 * What the API says of sampling fields, per @anthropic-ai/sdk: under 2026-10-21 the
 * request has no `temperature`, `top_p` or `top_k` (1.17.0's types); under 2023-06-01
 * models after Claude Opus 4.6 take only temperature 1.0 and top_p ≥ 0.99, and no top_k
 * (0.137.0's deprecation notes), older ones take them all.
 */
function refusedSampling(version: string, model: string, body: Record<string, any>): string | undefined {
  const present = ['temperature', 'top_p', 'top_k'].filter((f) => f in body);
  if (version === '2026-10-21') return present.length ? `${present[0]}: Extra inputs are not permitted` : undefined;
  const version_ = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d))?(?:-\d{8})?$/.exec(model);
  const newer = /^claude-(fable|mythos)/.test(model) || (version_ !== null && Number(version_[2]) * 10 + Number(version_[3] ?? 0) > 46);
  if (!newer) return undefined;
  if ('temperature' in body && body.temperature !== 1) return `temperature: ${model} does not support setting temperature`;
  if ('top_p' in body && !(body.top_p >= 0.99)) return `top_p: ${model} does not support setting top_p`;
  if ('top_k' in body) return `top_k: ${model} does not accept top_k`;
  return undefined;
}

/** A Messages API answer: optional thinking (with a fresh signature), text, tool uses, usage. */
export function anthropicMessage(options: {
  thinking?: string;
  text?: string;
  toolUses?: Array<{ name: string; input: Record<string, unknown>; id?: string }>;
  usage?: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  stop_reason?: string;
}): Record<string, unknown> {
  const content: Block[] = [];
  if (options.thinking !== undefined) content.push({ type: 'thinking', thinking: options.thinking, signature: `sig-${randomUUID()}` });
  if (options.text !== undefined) content.push({ type: 'text', text: options.text });
  for (const use of options.toolUses ?? []) content.push({ type: 'tool_use', id: use.id ?? `toolu_${randomUUID().slice(0, 12)}`, name: use.name, input: use.input });
  return {
    id: `msg_${randomUUID().slice(0, 12)}`,
    type: 'message',
    role: 'assistant',
    model: 'stand-in',
    content,
    stop_reason: options.stop_reason ?? (options.toolUses?.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: options.usage ?? { input_tokens: 50, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

/**
 * A message as the Messages API streams it: message_start (usage without the output),
 * each block's start and deltas in small pieces (text, thinking then its signature, the
 * tool input as JSON text), message_delta with the stop reason and output tokens, message_stop.
 */
export function anthropicEvents(message: Record<string, any>): string[] {
  const event = (data: Record<string, unknown>) => JSON.stringify(data);
  const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
  const { content, usage, stop_reason: stopReason, stop_sequence: stopSequence, ...rest } = message;
  const events = [event({ type: 'message_start', message: { ...rest, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }), event({ type: 'ping' })];
  (content as Block[]).forEach((block, index) => {
    const delta = (d: Record<string, unknown>) => events.push(event({ type: 'content_block_delta', index, delta: d }));
    if (block.type === 'text') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (const text of pieces(block.text, 4)) delta({ type: 'text_delta', text });
    } else if (block.type === 'thinking') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (const thinking of pieces(block.thinking, 4)) delta({ type: 'thinking_delta', thinking });
      delta({ type: 'signature_delta', signature: block.signature });
    } else if (block.type === 'tool_use') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
      for (const partial_json of pieces(JSON.stringify(block.input), 5)) delta({ type: 'input_json_delta', partial_json });
    } else {
      events.push(event({ type: 'content_block_start', index, content_block: block }));
    }
    events.push(event({ type: 'content_block_stop', index }));
  });
  events.push(event({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence ?? null }, usage: { output_tokens: usage.output_tokens } }));
  events.push(event({ type: 'message_stop' }));
  return events;
}
