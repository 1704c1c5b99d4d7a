import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { Column } from './parquet-columns.js';

type CellValue = string | number | bigint | boolean | Date | null;

/**
 * One Parquet file written a row group at a time: rows are buffered in columns and
 * flushed when the buffer passes `maxRows` or `maxBytes`, so memory stays bounded.
 */
export class ParquetTable<T> {
  private readonly writer: ParquetWriter;
  private buffers: CellValue[][];
  private rows = 0;
  private bytes = 0;
  /** Rows written in all. */
  written = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly Column<T>[],
    private readonly limits: { maxRows: number; maxBytes: number } = { maxRows: 10_000, maxBytes: 32 << 20 },
    createdBy = 'forager',
  ) {
    const schema = schemaFromColumnData({
      columnData: columns.map((c) => ({ name: c.name, data: [], type: c.type, nullable: c.nullable })),
    });
    this.writer = new ParquetWriter({ writer: fileWriter(path), schema, codec: 'SNAPPY', createdBy });
    this.buffers = columns.map(() => []);
  }

  async add(row: T): Promise<void> {
    this.columns.forEach((column, i) => {
      const value = toCell(column, column.get(row));
      if (typeof value === 'string') this.bytes += value.length;
      (this.buffers[i] as CellValue[]).push(value);
    });
    this.rows += 1;
    this.written += 1;
    if (this.rows >= this.limits.maxRows || this.bytes >= this.limits.maxBytes) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.finish();
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffers[i] as CellValue[], type: c.type, nullable: c.nullable }));
    await this.writer.write({ columnData: columnData as never, rowGroupSize: this.rows });
    this.buffers = this.columns.map(() => []);
    this.rows = 0;
    this.bytes = 0;
  }
}

function toCell<T>(column: Column<T>, value: string | number | boolean | null): CellValue {
  if (value === null) return null;
  if (column.type === 'INT64') return BigInt(value as number);
  if (column.type === 'TIMESTAMP') return new Date(value as string);
  return value;
}
