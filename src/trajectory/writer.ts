import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Footer, Header, Step } from './schema.js';

/**
 * Append-only JSONL: the header first, a line per step, the footer last. Each line is
 * written with one write() call as soon as it exists, so a crash leaves every finished
 * step readable and the missing footer marks the file as partial.
 */
export class TrajectoryWriter {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Create (or truncate) the file at `path` and write the header. */
  static async create(path: string, header: Header): Promise<TrajectoryWriter> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    const writer = new TrajectoryWriter(path, handle);
    await writer.append(header);
    return writer;
  }

  async step(step: Step): Promise<void> {
    await this.append(step);
  }

  /** Write the footer, flush it to disk and close the file. */
  async finish(footer: Footer): Promise<void> {
    await this.append(footer);
    await this.handle.sync();
    await this.handle.close();
  }

  /** Close without a footer: the file stays recognisably partial. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private async append(line: Header | Step | Footer): Promise<void> {
    await this.handle.write(`${JSON.stringify(line)}\n`);
  }
}
