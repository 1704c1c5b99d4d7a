import { APIConnectionError, errorForStatus, InvalidResponseError } from '../../errors.js';
import { readEvents, type StreamBounds } from '../../http/read-events.js';

type Block = Record<string, unknown>;

/** The HTTP status an `error` event stands for, so it is retried (or not) as that answer would be. */
const STATUS_OF_ERROR: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, overloaded_error: 529,
};

/** Usage counters a `message_delta` may carry: each overwrites the start's only when it is there (not null). */
const DELTA_USAGE = ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'server_tool_use', 'output_tokens_details'] as const;

/** A streamed answer, with the raw input JSON of the tool_use blocks whose input did not parse (cut by max_tokens). */
export interface StreamedMessage {
  json: unknown;
  firstTokenAt?: number;
  /** Tool use id → the input as streamed, for blocks whose JSON is incomplete. */
  rawInputs: Map<string, string>;
}

/**
 * Assemble a streamed Messages API answer (`stream: true`) into the message a plain call
 * returns, the way @anthropic-ai/sdk's MessageStream accumulates it: `message_start`
 * gives the message and its usage; each content block starts with `content_block_start`
 * and grows by its deltas (`text_delta` and `thinking_delta` appended, `signature_delta`
 * replacing the signature, `input_json_delta` appended to the tool input's JSON text);
 * `message_delta` sets the stop reason, stop sequence and stop details and the output
 * tokens, and overwrites the other usage counters only where it carries a value (a null
 * never erases the start's counts). `ping` is skipped. An `error` event fails the request
 * as the HTTP answer of its type would (an overload is retried), and a stream that ends
 * before `message_stop` is a broken connection (retried). Also returns when the first
 * content delta arrived. A tool input whose JSON is incomplete (the answer was cut) is
 * kept as the text that came, where the SDK would parse it partially.
 */
export async function readMessagesStream(response: Response, bounds: StreamBounds, context: Record<string, string>): Promise<StreamedMessage> {
  let message: Record<string, any> | undefined;
  const blocks: Block[] = [];
  const inputs = new Map<number, string>();
  let firstTokenAt: number | undefined;
  let stopped = false;
  for await (const { event: name, data } of readEvents(response, bounds, context)) {
    if (name === 'ping') continue;
    const event = parseEvent(name, data, context);
    switch (event.type) {
      case 'message_start':
        message = { ...(event.message as Record<string, unknown>), content: [] };
        break;
      case 'content_block_start': {
        const index = indexOf(event, context);
        blocks[index] = { ...(event.content_block as Block) };
        if (blocks[index]!.type === 'tool_use' || blocks[index]!.type === 'server_tool_use') inputs.set(index, '');
        break;
      }
      case 'content_block_delta': {
        const index = indexOf(event, context);
        const block = blocks[index];
        if (!block) throw new InvalidResponseError(`model endpoint streamed a delta for content block ${index} before its start`, { context });
        applyDelta(block, index, (event.delta ?? {}) as Record<string, unknown>, inputs);
        if (firstTokenAt === undefined && event.delta?.type !== 'signature_delta') firstTokenAt = performance.now();
        break;
      }
      case 'message_delta':
        if (!message) throw new InvalidResponseError('model endpoint streamed message_delta before message_start', { context });
        applyMessageDelta(message, event);
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'error': {
        const type = typeof event.error?.type === 'string' ? event.error.type : 'api_error';
        throw errorForStatus(STATUS_OF_ERROR[type] ?? 500, `model endpoint streamed an error: ${JSON.stringify(event.error ?? event).slice(0, 500)}`, { context });
      }
      default:
        break; // content_block_stop, and event types added later
    }
    if (stopped) break;
  }
  if (!message) throw new InvalidResponseError('model endpoint closed the stream without message_start', { context });
  if (!stopped) throw new APIConnectionError('the model endpoint\'s stream ended before message_stop', { context });
  const rawInputs = new Map<string, string>();
  for (const [index, text] of inputs) {
    const block = blocks[index]!;
    const input = parseInput(text);
    if (input !== undefined) block.input = input;
    else if (typeof block.id === 'string') rawInputs.set(block.id, text);
  }
  message.content = blocks.filter((b) => b !== undefined);
  return { json: message, firstTokenAt, rawInputs };
}

function parseEvent(name: string | undefined, data: string, context: Record<string, string>): Record<string, any> {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch (error) {
    throw new InvalidResponseError(`model endpoint streamed invalid JSON: ${data.slice(0, 200)}`, { cause: error, context });
  }
  if (!event || typeof event !== 'object') throw new InvalidResponseError(`model endpoint streamed an event that is not an object: ${data.slice(0, 200)}`, { context });
  // An `event: error` whose data has no type of its own is still an error.
  return name === 'error' ? { ...(event as object), type: 'error' } : (event as Record<string, any>);
}

/** One content delta onto its block, as the SDK applies it (a delta for another block type is ignored). */
function applyDelta(block: Block, index: number, delta: Record<string, unknown>, inputs: Map<number, string>): void {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (delta.type === 'text_delta' && block.type === 'text') block.text = `${text(block.text)}${text(delta.text)}`;
  else if (delta.type === 'thinking_delta' && block.type === 'thinking') block.thinking = `${text(block.thinking)}${text(delta.thinking)}`;
  else if (delta.type === 'signature_delta' && block.type === 'thinking') block.signature = text(delta.signature);
  else if (delta.type === 'input_json_delta' && inputs.has(index)) inputs.set(index, `${inputs.get(index)}${text(delta.partial_json)}`);
}

function applyMessageDelta(message: Record<string, any>, event: Record<string, any>): void {
  const delta = (event.delta ?? {}) as Record<string, unknown>;
  if ('stop_reason' in delta) message.stop_reason = delta.stop_reason;
  if ('stop_sequence' in delta) message.stop_sequence = delta.stop_sequence;
  if ('stop_details' in delta) message.stop_details = delta.stop_details;
  const usage = event.usage as Record<string, unknown> | undefined;
  if (!usage || typeof usage !== 'object') return;
  message.usage = { ...(message.usage as object | undefined) };
  if (usage.output_tokens !== undefined) message.usage.output_tokens = usage.output_tokens;
  for (const key of DELTA_USAGE) if (usage[key] !== undefined && usage[key] !== null) message.usage[key] = usage[key];
}

function indexOf(event: Record<string, any>, context: Record<string, string>): number {
  if (typeof event.index !== 'number' || !Number.isInteger(event.index) || event.index < 0 || event.index > 10_000) {
    throw new InvalidResponseError(`model endpoint streamed ${String(event.type)} without a valid index`, { context });
  }
  return event.index;
}

/** A tool's input from its streamed JSON text; none at all is `{}`; undefined when the text is not (yet) JSON. */
function parseInput(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
