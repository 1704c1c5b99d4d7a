import { createRequire } from 'node:module';
import { ParquetWriter } from 'hyparquet-writer';
import { unpackGroup, type PackedGroup } from './row-group.js';
import { StreamWriter } from './stream-writer.js';

type Compressor = (input: Uint8Array) => Uint8Array;

/**
 * Snappy from the native `snappy` package (~5x hyparquet-writer's JavaScript snappy on
 * text pages, which was a tenth of an hf export's CPU); the same codec, so every reader
 * opens the files as before. Where the native build cannot load, the writer's own is used.
 */
const nativeSnappy: Compressor | undefined = (() => {
  try {
    const snappy = createRequire(import.meta.url)('snappy') as { compressSync(input: Uint8Array): Uint8Array };
    return (input) => snappy.compressSync(input);
  } catch {
    return undefined;
  }
})();

/**
 * Encodes Parquet shards: open a file, write row groups, finish it. Encoding stays on the
 * export's thread. Measured and left out (20k-trajectory export, 2 cores): an encoder
 * thread fed each row group's byte pool by transfer (no copy), no faster, since the main
 * thread reading, validating and building rows stays the bottleneck while the encoder
 * thread takes the other core from it, and +30 MB RSS; building the rows there too from
 * the raw lines, re-parsed, slower still (parsing twice, two heaps collecting).
 */
export interface ShardEncoder {
  open(path: string, schema: unknown[], createdBy: string): Promise<number>;
  write(handle: number, group: PackedGroup): Promise<void>;
  finish(handle: number): Promise<void>;
  close(): Promise<void>;
}

/** Encodes on the calling thread. */
export class InThreadEncoder implements ShardEncoder {
  private readonly files = new Map<number, { writer: ParquetWriter; output: StreamWriter }>();
  private next = 0;

  async open(path: string, schema: unknown[], createdBy: string): Promise<number> {
    const output = new StreamWriter(path);
    const writer = new ParquetWriter({ writer: output as never, schema: schema as never, codec: 'SNAPPY', createdBy, ...(nativeSnappy ? { compressors: { SNAPPY: nativeSnappy } } : {}) });
    this.files.set(this.next, { writer, output });
    return this.next++;
  }

  async write(handle: number, group: PackedGroup): Promise<void> {
    const file = this.file(handle);
    // One page per column chunk (row groups are bounded by the table): the writer then skips sizing every value to cut pages.
    await file.writer.write({ columnData: unpackGroup(group) as never, rowGroupSize: group.rows, pageSize: 0 });
    await file.output.settle();
  }

  async finish(handle: number): Promise<void> {
    const file = this.file(handle);
    await file.writer.finish();
    await file.output.closed();
    this.files.delete(handle);
  }

  async close(): Promise<void> {
    this.files.clear();
  }

  private file(handle: number) {
    const file = this.files.get(handle);
    if (!file) throw new Error(`no open shard ${handle}`);
    return file;
  }
}
