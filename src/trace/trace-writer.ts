import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TraceFooter } from './schema.js';

/** Appends JSON lines to the trace file; the footer is written last, then the file is synced. */
export class TraceWriter {
  started = false;
  bytes = 0;
  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<TraceWriter> {
    await mkdir(dirname(path), { recursive: true });
    return new TraceWriter(await open(path, 'w'));
  }

  async line(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.started = true;
    this.bytes += Buffer.byteLength(text);
    await this.handle.write(text);
  }

  async finish(footer: TraceFooter): Promise<void> {
    await this.line(footer);
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
