import { createRequire } from 'node:module';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { Leaf, TextLeaf } from './shred.js';
import { StreamWriter } from './stream-writer.js';

type Compressor = (input: Uint8Array) => Uint8Array;
// The writer's own hyparquet types (it may carry another hyparquet than the reader's).
type SchemaElement = ParquetWriter['schema'][number];
type ColumnChunk = ParquetWriter['row_groups'][number]['columns'][number];

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

/** A column of a row group: values as the writer takes them (one per row), or the leaves it was shredded into. */
export type GroupColumn =
  | { name: string; kind: 'values'; data: unknown[]; statistics: boolean }
  | { name: string; kind: 'shredded'; leaves: Leaf[] };

export interface RowGroupData {
  rows: number;
  columns: GroupColumn[];
}

/**
 * Encodes Parquet shards: open a file, write row groups, finish it. Encoding stays on the
 * export's thread. Measured and left out (20k-trajectory export, 2 cores): an encoder
 * thread fed each row group's text by transfer (no copy), no faster, since the main
 * thread reading, validating and building rows stays the bottleneck while the encoder
 * thread takes the other core from it, and +30 MB RSS; building the rows there too from
 * the raw lines, re-parsed, slower still (parsing twice, two heaps collecting).
 */
export interface ShardEncoder {
  open(path: string, schema: unknown[], createdBy: string): Promise<number>;
  write(handle: number, group: RowGroupData): Promise<void>;
  finish(handle: number): Promise<void>;
  close(): Promise<void>;
}

/** Encodes on the calling thread. */
export class InThreadEncoder implements ShardEncoder {
  private readonly files = new Map<number, { writer: ShardWriter; output: StreamWriter }>();
  private next = 0;

  async open(path: string, schema: unknown[], createdBy: string): Promise<number> {
    const output = new StreamWriter(path);
    const writer = new ShardWriter({ writer: output as never, schema: schema as SchemaElement[], codec: 'SNAPPY', createdBy, ...(nativeSnappy ? { compressors: { SNAPPY: nativeSnappy } } : {}) });
    this.files.set(this.next, { writer, output });
    return this.next++;
  }

  async write(handle: number, group: RowGroupData): Promise<void> {
    const file = this.file(handle);
    file.writer.writeGroup(group);
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

/**
 * hyparquet-writer's file writer (schema, footer, indexes, statistics) with row groups
 * written from columns already in their final form: values columns go through its
 * column writer as one page each; shredded leaves skip its per-leaf walk of nested rows,
 * and a text leaf's PLAIN page, built as rows were added, is compressed and written as it
 * is, where the column writer would copy every value into a page again. Readers see the
 * files they saw before (the same pages, levels, encodings and metadata).
 */
class ShardWriter extends ParquetWriter {
  private readonly leafPaths = leafPathsByColumn(this.schema);

  writeGroup(group: RowGroupData): void {
    const start = this.writer.offset;
    const chunks: ColumnChunk[] = [];
    for (const column of group.columns) {
      const paths = this.leafPaths.get(column.name);
      if (!paths) throw new Error(`hf: no column ${column.name} in the shard's schema`);
      if (column.kind === 'values') {
        const path = paths[0] as SchemaElement[];
        const required = path.at(-1)?.repetition_type === 'REQUIRED';
        const definitionLevels = required ? [] : column.data.map((v) => (v === null || v === undefined ? 0 : 1));
        this.add(chunks, writeColumn({ writer: this.writer, column: this.encoder(path, column.statistics, false), pageData: { values: column.data as never, definitionLevels, repetitionLevels: [], maxDefinitionLevel: required ? 0 : 1 } }));
        continue;
      }
      if (column.leaves.length !== paths.length) throw new Error(`hf: column ${column.name} has ${paths.length} leaves, ${column.leaves.length} given`);
      column.leaves.forEach((leaf, i) => {
        const path = paths[i] as SchemaElement[];
        if (leaf.kind === 'text') this.add(chunks, this.writeText(path, leaf));
        else this.add(chunks, writeColumn({ writer: this.writer, column: this.encoder(path, false, true), pageData: { values: leaf.values as never, definitionLevels: leaf.defs as never, repetitionLevels: leaf.reps as never, maxDefinitionLevel: leaf.maxDef } }));
      });
    }
    let total = 0n;
    for (const chunk of chunks) total += chunk.meta_data?.total_uncompressed_size ?? 0n;
    this.num_rows += BigInt(group.rows);
    this.row_groups.push({ columns: chunks, total_byte_size: total, num_rows: BigInt(group.rows), total_compressed_size: BigInt(this.writer.offset - start) });
  }

  private add(chunks: ColumnChunk[], result: ReturnType<typeof writeColumn>): void {
    chunks.push(result.chunk);
    this.pendingIndexes.push(result);
  }

  /** The column writer's settings for a leaf: one page; PLAIN for the leaves of shredded columns, as their text leaves are. */
  private encoder(path: SchemaElement[], statistics: boolean, plain: boolean) {
    const element = path.at(-1) as SchemaElement;
    return {
      columnName: path.slice(1).map((e) => e.name).join('.'),
      element,
      schemaPath: path,
      codec: this.codec,
      compressors: this.compressors,
      stats: statistics,
      statisticsTruncateLength: this.statisticsTruncateLength,
      // One page per column chunk: row groups are bounded already, and the writer then skips sizing every value to cut pages.
      pageSize: 0,
      columnIndex: false,
      offsetIndex: true,
      ...(plain ? { encoding: 'PLAIN' as const } : {}),
    };
  }

  /** One DATA_PAGE_V2 of PLAIN text, as the column writer lays it out: header, levels, compressed values. */
  private writeText(path: SchemaElement[], leaf: TextLeaf): ReturnType<typeof writeColumn> {
    const { writer, codec } = this;
    const offsetStart = writer.offset;
    const levels = new ByteWriter();
    const repetitionLength = leaf.maxRep > 0 ? writeRleBitPackedHybrid(levels, leaf.reps, bitWidth(leaf.maxRep)) : 0;
    const definitionLength = leaf.maxDef > 0 ? writeRleBitPackedHybrid(levels, leaf.defs, bitWidth(leaf.maxDef)) : 0;
    let nulls = 0;
    for (const def of leaf.defs) if (def < leaf.maxDef) nulls += 1;
    let rows = leaf.count;
    if (leaf.maxRep > 0) {
      rows = 0;
      for (const rep of leaf.reps) if (rep === 0) rows += 1;
    }
    const compressed = this.compressors[codec]?.(leaf.page) ?? leaf.page;
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levels.offset + leaf.page.length,
      compressed_page_size: levels.offset + compressed.length,
      data_page_header_v2: {
        num_values: leaf.count, num_nulls: nulls, num_rows: rows, encoding: 'PLAIN',
        definition_levels_byte_length: definitionLength, repetition_levels_byte_length: repetitionLength, is_compressed: true,
      },
    });
    const headerSize = writer.offset - headerStart;
    writer.appendBytes(levels.getBytes());
    writer.appendBytes(compressed);
    return {
      chunk: {
        meta_data: {
          type: 'BYTE_ARRAY',
          encodings: ['PLAIN'],
          path_in_schema: path.slice(1).map((e) => e.name),
          codec,
          num_values: BigInt(leaf.count),
          total_compressed_size: BigInt(writer.offset - offsetStart),
          total_uncompressed_size: BigInt(headerSize + levels.offset + leaf.page.length),
          data_page_offset: BigInt(headerStart),
        },
        file_offset: BigInt(offsetStart),
      },
    };
  }
}

const bitWidth = (max: number) => Math.ceil(Math.log2(max + 1));

/** Each top-level column's leaves as schema paths from the root, depth first (the order a shredder numbers them). */
function leafPathsByColumn(schema: SchemaElement[]): Map<string, SchemaElement[][]> {
  const byColumn = new Map<string, SchemaElement[][]>();
  const root = schema[0] as SchemaElement;
  let next = 1;
  const walk = (parent: SchemaElement[]): SchemaElement[][] => {
    const element = schema[next++] as SchemaElement;
    const path = [...parent, element];
    if (!element.num_children) return [path];
    const leaves: SchemaElement[][] = [];
    for (let i = 0; i < element.num_children; i += 1) leaves.push(...walk(path));
    return leaves;
  };
  for (let i = 0; i < (root.num_children ?? 0); i += 1) {
    const name = (schema[next] as SchemaElement).name;
    byColumn.set(name, walk([root]));
  }
  return byColumn;
}
