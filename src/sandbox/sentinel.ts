/**
 * Splits a byte stream at the first occurrence of a marker without holding the body:
 * bytes that cannot be the start of the marker are passed on at once, at most
 * `marker.length - 1` bytes are held back, and what follows the marker is kept as the
 * trailer, at most `trailerCap` bytes (the rest is counted, never buffered).
 */
export class SentinelSplitter {
  private held: Buffer = Buffer.alloc(0);
  private trailerParts: Buffer[] = [];
  private trailerBytes = 0;
  private found = false;
  /** Bytes after the marker that were dropped because the trailer was full. */
  overflow = 0;

  constructor(
    private readonly marker: Buffer,
    private readonly onBody: (chunk: Buffer) => void,
    private readonly trailerCap = 64 * 1024,
  ) {}

  get seen(): boolean {
    return this.found;
  }

  get trailer(): Buffer {
    return Buffer.concat(this.trailerParts);
  }

  push(chunk: Buffer): void {
    if (this.found) {
      this.keep(chunk);
      return;
    }
    const data = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      if (at > 0) this.onBody(data.subarray(0, at));
      this.found = true;
      this.held = Buffer.alloc(0);
      this.keep(data.subarray(at + this.marker.length));
      return;
    }
    const keep = partialMarkerSuffix(data, this.marker);
    if (data.length - keep > 0) this.onBody(data.subarray(0, data.length - keep));
    this.held = Buffer.from(data.subarray(data.length - keep));
  }

  private keep(chunk: Buffer): void {
    const room = this.trailerCap - this.trailerBytes;
    if (room > 0 && chunk.length > 0) {
      // Copy: the chunk may be a view into a pooled buffer that is reused.
      const part = Buffer.from(chunk.subarray(0, room));
      this.trailerParts.push(part);
      this.trailerBytes += part.length;
    }
    this.overflow += Math.max(0, chunk.length - Math.max(room, 0));
  }

  /** The stream ended without a marker: release what was held back. */
  flush(): void {
    if (!this.found && this.held.length > 0) this.onBody(this.held);
    this.held = Buffer.alloc(0);
  }
}

/** Length of the longest suffix of `data` that is a proper prefix of `marker`. */
function partialMarkerSuffix(data: Buffer, marker: Buffer): number {
  const max = Math.min(marker.length - 1, data.length);
  for (let len = max; len > 0; len -= 1) {
    if (data.compare(marker, 0, len, data.length - len, data.length) === 0) return len;
  }
  return 0;
}
