import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ByteWriter } from 'hyparquet-writer';

/**
 * A hyparquet-writer Writer that hands full chunks to a file stream instead of writing
 * them synchronously (its fileWriter appends with writeFileSync, which stalls the
 * event loop and with it the read-ahead of input files). `settle()` waits for the
 * stream to drain; the table calls it after each row group, so at most a row group is queued.
 */
export class StreamWriter extends ByteWriter {
  private readonly stream: WriteStream;
  private static readonly CHUNK = 1 << 20;

  constructor(path: string) {
    super();
    this.stream = createWriteStream(path, { flags: 'w', highWaterMark: 1 << 20 });
  }

  override ensure(size: number): void {
    if (this.index > StreamWriter.CHUNK) this.flushChunk();
    super.ensure(size);
  }

  /** Wait until the stream has taken what was handed to it. */
  async settle(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  override finish(): void {
    this.flushChunk();
    this.stream.end();
  }

  /** Resolves when the file is complete on disk (after finish). */
  async closed(): Promise<void> {
    if (!this.stream.writableFinished) await once(this.stream, 'finish');
  }

  private flushChunk(): void {
    if (this.index === 0) return;
    this.stream.write(Buffer.from(this.buffer.slice(0, this.index)));
    this.index = 0;
  }
}
