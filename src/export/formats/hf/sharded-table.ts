import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupColumn, ShardEncoder } from './encoder.js';
import { schemaElements, type Field, type ScalarType } from './fields.js';
import { scalar, Shredder } from './shred.js';

/** One column of a sharded table: its field, and how a row gives its value. */
export interface HfColumn<T> {
  field: Field;
  get: (row: T) => unknown;
  /** Long free text (outputs, JSON, messages): shredded into PLAIN pages as the row is added (shred.ts). */
  longText?: boolean;
  /**
   * Min/max statistics, for readers that skip row groups by them (ids, names, numbers people
   * filter on). Off elsewhere: on free text or hashes they cost time and help no reader.
   */
  statistics?: boolean;
}

/** Long text and lists (chat messages) are shredded as rows are added; other columns hold their values until the row group is written. */
const shredded = (column: HfColumn<unknown>): boolean => 'list' in column.field || column.longText === true;

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
  /** Long text and chat messages: shredded as rows are added. */
  private readonly shredders: (Shredder | undefined)[];
  /** The scalar type of each column that is not shredded. */
  private readonly types: (ScalarType | undefined)[];
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
    this.shredders = columns.map((c) => (shredded(c as HfColumn<unknown>) ? new Shredder(c.field) : undefined));
    this.types = columns.map((c) => ('type' in c.field ? c.field.type : undefined));
  }

  /**
   * Add a row; when that fills the row group, the promise of its writing (await it before
   * the next row), else undefined: most rows cost no promise.
   */
  add(row: T): Promise<void> | undefined {
    const { columns, buffers, shredders } = this;
    let bytes = 0;
    for (let i = 0; i < columns.length; i += 1) {
      const value = (columns[i] as HfColumn<T>).get(row);
      const shredder = shredders[i];
      if (shredder) {
        bytes += shredder.add(value);
        continue;
      }
      // A value as the writer takes it (see `scalar`), counted as Arrow counts it.
      const type = this.types[i] as ScalarType;
      if (value === null || value === undefined) {
        bytes += 1;
        (buffers[i] as unknown[]).push(null);
      } else if (type === 'string') {
        bytes += (value as string).length + 4;
        (buffers[i] as unknown[]).push(value);
      } else {
        bytes += 8;
        (buffers[i] as unknown[]).push(scalar(type, value));
      }
    }
    this.groupBytes += bytes;
    this.groupRows += 1;
    this.rows += 1;
    const full = this.groupRows >= this.limits.groupRows || this.groupBytes >= this.limits.groupBytes;
    return full || this.shardBytes + this.groupBytes >= this.limits.shardBytes ? this.flush() : undefined;
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
    const columns = this.columns.map((c, i): GroupColumn => {
      const shredder = this.shredders[i];
      return shredder ? { name: c.field.name, kind: 'shredded', leaves: shredder.seal() } : { name: c.field.name, kind: 'values', data: this.buffers[i] as unknown[], statistics: c.statistics === true };
    });
    const group = { rows: this.groupRows, columns };
    // The shredders write the group before this one over next (double-buffered): it must be written first.
    await this.settle();
    this.inflight = this.encoder.write(shard, group).catch((error: unknown) => { this.failure = error; });
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

const pad = (n: number) => String(n).padStart(5, '0');
