import { APIConnectionError, errorForStatus, InvalidResponseError } from '../../errors.js';
import { readSseData } from '../../http/sse.js';

type Block = Record<string, unknown>;

/** The HTTP status an `error` event stands for, so it is retried (or not) as that answer would be. */
const STATUS_OF_ERROR: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, overloaded_error: 529,
};

/**
 * Assemble a streamed Messages API answer (`stream: true`) into the message a plain call
 * returns: `message_start` gives the message and its input usage; each content block
 * starts with `content_block_start` and grows by its deltas (`text_delta`,
 * `thinking_delta`, `signature_delta`, `input_json_delta`: the tool input as JSON text,
 * parsed at `content_block_stop`); `message_delta` gives the stop reason and the output
 * usage. An `error` event fails the request as the HTTP answer of its type would (an
 * overload is retried), and a stream that ends before `message_stop` is a broken
 * connection (retried). Also returns when the first content delta arrived.
 */
export async function readMessagesStream(response: Response, context: Record<string, string>): Promise<{ json: unknown; firstTokenAt?: number }> {
  if (!response.body) throw new InvalidResponseError('model endpoint sent an empty stream', { context });
  let message: Record<string, unknown> | undefined;
  const blocks: Block[] = [];
  const inputs = new Map<number, string>();
  let firstTokenAt: number | undefined;
  let stopped = false;
  for await (const data of readSseData(response.body)) {
    let event: Record<string, any>;
    try {
      event = JSON.parse(data) as Record<string, any>;
    } catch (error) {
      throw new InvalidResponseError(`model endpoint streamed invalid JSON: ${data.slice(0, 200)}`, { cause: error, context });
    }
    switch (event.type) {
      case 'message_start':
        message = { ...(event.message as Record<string, unknown>), content: [] };
        break;
      case 'content_block_start': {
        const index = indexOf(event, context);
        blocks[index] = { ...(event.content_block as Block) };
        if (blocks[index]!.type === 'tool_use') inputs.set(index, '');
        break;
      }
      case 'content_block_delta': {
        const index = indexOf(event, context);
        const block = blocks[index];
        if (!block) throw new InvalidResponseError(`model endpoint streamed a delta for content block ${index} before its start`, { context });
        const delta = (event.delta ?? {}) as Record<string, unknown>;
        const append = (key: string, piece: unknown) => { block[key] = `${(block[key] as string | undefined) ?? ''}${typeof piece === 'string' ? piece : ''}`; };
        if (delta.type === 'text_delta') append('text', delta.text);
        else if (delta.type === 'thinking_delta') append('thinking', delta.thinking);
        else if (delta.type === 'signature_delta') append('signature', delta.signature);
        else if (delta.type === 'input_json_delta') inputs.set(index, `${inputs.get(index) ?? ''}${typeof delta.partial_json === 'string' ? delta.partial_json : ''}`);
        if (firstTokenAt === undefined && delta.type !== 'signature_delta') firstTokenAt = performance.now();
        break;
      }
      case 'content_block_stop': {
        const index = indexOf(event, context);
        const text = inputs.get(index);
        if (text !== undefined && blocks[index]) blocks[index]!.input = parseInput(text, index, context);
        break;
      }
      case 'message_delta':
        if (!message) throw new InvalidResponseError('model endpoint streamed message_delta before message_start', { context });
        if (event.delta?.stop_reason !== undefined) message.stop_reason = event.delta.stop_reason;
        if (event.delta?.stop_sequence !== undefined) message.stop_sequence = event.delta.stop_sequence;
        if (event.usage && typeof event.usage === 'object') message.usage = { ...(message.usage as object | undefined), ...(event.usage as object) };
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'error': {
        const type = typeof event.error?.type === 'string' ? event.error.type : 'api_error';
        throw errorForStatus(STATUS_OF_ERROR[type] ?? 500, `model endpoint streamed an error: ${JSON.stringify(event.error ?? event).slice(0, 500)}`, { context });
      }
      default:
        break; // ping, and event types added later
    }
    if (stopped) break;
  }
  if (!message) throw new InvalidResponseError('model endpoint closed the stream without message_start', { context });
  if (!stopped) throw new APIConnectionError('the model endpoint\'s stream ended before message_stop', { context });
  message.content = blocks.filter((b) => b !== undefined);
  return { json: message, firstTokenAt };
}

function indexOf(event: Record<string, any>, context: Record<string, string>): number {
  if (typeof event.index !== 'number' || !Number.isInteger(event.index) || event.index < 0 || event.index > 10_000) {
    throw new InvalidResponseError(`model endpoint streamed ${String(event.type)} without a valid index`, { context });
  }
  return event.index;
}

/** A tool's input as streamed JSON text; none at all is `{}`. */
function parseInput(text: string, index: number, context: Record<string, string>): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidResponseError(`model endpoint streamed tool input that is not JSON (content block ${index}): ${text.slice(0, 200)}`, { cause: error, context });
  }
}
