import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';

/** A JSON-lines file written with backpressure: at most one stream buffer of lines is ever held. */
export class LineFile {
  private constructor(readonly path: string, private readonly stream: WriteStream) {}

  static async open(path: string): Promise<LineFile> {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path, { flags: 'w', highWaterMark: 1 << 20 });
    await once(stream, 'open');
    return new LineFile(path, stream);
  }

  async write(value: unknown): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(value)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
