import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnData, ShardEncoder } from './encoder.js';
import { schemaElements, type Field } from './fields.js';

/** One column of a sharded table: its field, and how a row gives its value. */
export interface HfColumn<T> {
  field: Field;
  get: (row: T) => unknown;
  /** Long free text (outputs, JSON, messages): encoded to bytes as the row is added, written plain. */
  longText?: boolean;
  /**
   * Min/max statistics, for readers that skip row groups by them (ids, names, numbers people
   * filter on). Off elsewhere: on free text or hashes they cost time and help no reader.
   */
  statistics?: boolean;
}

/** How a column's values are held until the row group is written. */
type CellKind = 'text' | 'messages' | 'string' | 'int64' | 'timestamp' | 'other';

function cellKind(column: HfColumn<unknown>): CellKind {
  const { field } = column;
  if ('list' in field) return 'messages';
  if (column.longText) return 'text';
  if (!('type' in field)) return 'other';
  if (field.type === 'string') return 'string';
  if (field.type === 'int64') return 'int64';
  if (field.type === 'timestamp[ms]') return 'timestamp';
  return 'other';
}

export interface ShardLimits {
  /** Start a new shard when the current one holds this many bytes of values (uncompressed, as `datasets` counts a shard). */
  shardBytes: number;
  /** Row group bounds: rows, and bytes of text buffered. */
  groupRows: number;
  groupBytes: number;
}

/**
 * One split of one config, written as `<split>-NNNNN-of-MMMMM.parquet` shards of about
 * `shardBytes` each. Shard files are named `-of-MMMMM` once the count is known, at close.
 * Rows are buffered per row group, so memory stays bounded by `groupBytes`.
 */
export class ShardedTable<T> {
  /** The open shard's handle in the encoder. */
  private shard: number | undefined;
  /** The row group being encoded (at most one): the next is built meanwhile. */
  private inflight: Promise<void> = Promise.resolve();
  private failure: unknown;
  private buffers: unknown[][];
  private readonly kinds: CellKind[];
  private groupRows = 0;
  private groupBytes = 0;
  private shardBytes = 0;
  private readonly pending: string[] = [];
  /** The shard files, named as they end up. */
  readonly files: string[] = [];
  rows = 0;
  bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly split: string,
    private readonly columns: readonly HfColumn<T>[],
    private readonly limits: ShardLimits,
    private readonly createdBy: string,
    private readonly encoder: ShardEncoder,
  ) {
    this.buffers = columns.map(() => []);
    this.kinds = columns.map((c) => cellKind(c as HfColumn<unknown>));
  }

  /** A value as the writer takes it (text as UTF-8 bytes, int64 as bigint), counted into the row group's size as Arrow would count it. */
  private cell(kind: CellKind, value: unknown): unknown {
    if (value === null || value === undefined) {
      this.groupBytes += 1;
      return null;
    }
    switch (kind) {
      case 'text': {
        const bytes = encodeString(value as string);
        this.groupBytes += bytes.length + 4;
        return bytes;
      }
      case 'messages': {
        const encoded = encodeMessages(value as unknown[]);
        this.groupBytes += encoded.bytes;
        return encoded.messages;
      }
      case 'string':
        this.groupBytes += (value as string).length + 4;
        return value;
      case 'int64':
        this.groupBytes += 8;
        return BigInt(value as number);
      case 'timestamp': {
        // Milliseconds as the column stores them (no Date in between); a time that does not parse is null, as it is kept whole in the header/step JSON.
        this.groupBytes += 8;
        const millis = Date.parse(value as string);
        return Number.isNaN(millis) ? null : BigInt(millis);
      }
      default:
        this.groupBytes += 8;
        return value;
    }
  }

  async add(row: T): Promise<void> {
    const { columns, kinds, buffers } = this;
    for (let i = 0; i < columns.length; i += 1) {
      (buffers[i] as unknown[]).push(this.cell(kinds[i] as CellKind, (columns[i] as HfColumn<T>).get(row)));
    }
    this.groupRows += 1;
    this.rows += 1;
    const full = this.groupRows >= this.limits.groupRows || this.groupBytes >= this.limits.groupBytes;
    if (full || this.shardBytes + this.groupBytes >= this.limits.shardBytes) await this.flush();
  }

  /** Write what is buffered, finish the last shard and give every shard its final name. */
  async close(): Promise<string[]> {
    await this.flush();
    if (this.pending.length === 0 || this.shard !== undefined) await this.finishShard(true);
    await this.settle();
    const total = this.pending.length;
    for (const [i, temp] of this.pending.entries()) {
      const final = join(this.dir, `${this.split}-${pad(i)}-of-${pad(total)}.parquet`);
      await unlink(final).catch(() => undefined);
      await rename(temp, final);
      this.files.push(final);
    }
    return this.files;
  }

  private async flush(): Promise<void> {
    if (this.groupRows === 0) return;
    const shard = await this.openShard();
    const columnData: ColumnData = this.columns.map((c, i) => ({
      name: c.field.name, data: this.buffers[i] as unknown[], statistics: c.statistics === true, ...(c.longText ? { encoding: 'PLAIN' } : {}),
    }));
    const rows = this.groupRows;
    await this.settle();
    this.inflight = this.encoder.write(shard, columnData, rows).catch((error: unknown) => { this.failure = error; });
    this.shardBytes += this.groupBytes;
    this.bytes += this.groupBytes;
    this.buffers = this.columns.map(() => []);
    this.groupRows = 0;
    this.groupBytes = 0;
    if (this.shardBytes >= this.limits.shardBytes) await this.finishShard(false);
  }

  /** Wait for the row group in flight; an encoding failure surfaces here. */
  private async settle(): Promise<void> {
    await this.inflight;
    if (this.failure !== undefined) throw this.failure;
  }

  private async openShard(): Promise<number> {
    if (this.shard !== undefined) return this.shard;
    const path = join(this.dir, `.${this.split}-${pad(this.pending.length)}.parquet.partial`);
    this.pending.push(path);
    const schema = [{ name: 'root', num_children: this.columns.length }, ...this.columns.flatMap((c) => schemaElements(c.field))];
    this.shard = await this.encoder.open(path, schema, this.createdBy);
    return this.shard;
  }

  private async finishShard(evenIfEmpty: boolean): Promise<void> {
    if (this.shard === undefined && evenIfEmpty) await this.openShard();
    if (this.shard === undefined) return;
    await this.settle();
    await this.encoder.finish(this.shard);
    this.shard = undefined;
    this.shardBytes = 0;
  }
}

/*
 * Long text is held as UTF-8 bytes, encoded as the row is added: the writer would encode
 * every string again at write time, and bytes keep the row group smaller than (often
 * two-byte) JS strings. The strings of chat messages are encoded the same way (their
 * statistics are off, so the writer only copies the bytes); the few names that repeat
 * (roles, tool names) share one encoded copy.
 */

/** Chat messages as the structs the writer reads, and their size in bytes of values. */
function encodeMessages(list: unknown[]): { messages: unknown[]; bytes: number } {
  const messages = new Array<unknown>(list.length);
  let bytes = 4;
  for (let i = 0; i < list.length; i += 1) {
    const encoded = encodeMessage(list[i]);
    messages[i] = encoded;
    bytes += messageBytes(encoded);
  }
  return { messages, bytes };
}

/** The bytes of an encoded message's values (strings by length, the two numbers by width). */
function messageBytes(message: unknown): number {
  if (message === null || typeof message !== 'object') return 1;
  const m = message as Record<string, unknown>;
  let bytes = 16 + byteLength(m.role) + byteLength(m.content) + byteLength(m.tool_call_id) + byteLength(m.name) + byteLength(m.reasoning_content);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls as ToolCall[]) bytes += 16 + byteLength(call?.id) + byteLength(call?.type) + byteLength(call?.function?.name) + byteLength(call?.function?.arguments);
  }
  return bytes;
}

const byteLength = (value: unknown): number => (value instanceof Uint8Array ? value.length + 4 : 1);

type Message = { role?: unknown; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown; name?: unknown; reasoning_content?: unknown; train?: unknown; loss_mask?: unknown };
type ToolCall = { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } | null };

const bytesOf = (value: unknown): unknown => (typeof value === 'string' ? encodeString(value) : value);

/** The last long strings encoded: an observation is often written as stdout, `shown` and a tool message alike, and is encoded once. */
const RECENT: { text: string; bytes: Buffer }[] = [];
const RECENT_SIZE = 8;
let recentNext = 0;

function encodeString(text: string): Buffer {
  if (text.length < 256) return Buffer.from(text, 'utf8');
  for (const recent of RECENT) if (recent.text.length === text.length && recent.text === text) return recent.bytes;
  const bytes = Buffer.from(text, 'utf8');
  RECENT[recentNext] = { text, bytes };
  recentNext = (recentNext + 1) % RECENT_SIZE;
  return bytes;
}

/**
 * A message as the struct the writer reads (the fields of OPENAI_MESSAGE, which holds
 * CWM_MESSAGE's), strings as bytes. A new object of one shape: the writer reads a field a
 * message lacks as null either way, and rewriting the builder's objects in place was slower.
 */
function encodeMessage(message: unknown): unknown {
  if (message === null || typeof message !== 'object') return message;
  const m = message as Message;
  return {
    role: encodeName(m.role),
    content: bytesOf(m.content),
    tool_calls: Array.isArray(m.tool_calls) ? m.tool_calls.map(encodeToolCall) : m.tool_calls,
    tool_call_id: bytesOf(m.tool_call_id),
    name: encodeName(m.name),
    reasoning_content: bytesOf(m.reasoning_content),
    train: m.train,
    loss_mask: m.loss_mask,
  };
}

function encodeToolCall(call: unknown): unknown {
  if (call === null || typeof call !== 'object') return call;
  const c = call as ToolCall;
  const fn = c.function;
  return {
    id: bytesOf(c.id),
    type: encodeName(c.type),
    function: fn === null || typeof fn !== 'object' ? fn : { name: encodeName(fn.name), arguments: bytesOf(fn.arguments) },
  };
}

const NAMES = new Map<string, Buffer>();

/** A role or tool name: few distinct values, each encoded once (the cache stays small: long or many names are encoded each time). */
function encodeName(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let bytes = NAMES.get(value);
  if (bytes) return bytes;
  bytes = Buffer.from(value, 'utf8');
  if (value.length <= 64 && NAMES.size < 1024) NAMES.set(value, bytes);
  return bytes;
}

const pad = (n: number) => String(n).padStart(5, '0');
