/**
 * Docker's multiplexed attach stream: frames of an 8-byte header (stream type, three
 * zero bytes, big-endian length) then the payload. Type 1 is stdout, 2 is stderr.
 * Holds at most one partial frame (the engine's frames are at most its read buffer).
 */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 1 | 2, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (data.length >= 8) {
      const size = data.readUInt32BE(4);
      if (data.length < 8 + size) break;
      const type = data[0] === 2 ? 2 : 1;
      this.onFrame(type, data.subarray(8, 8 + size));
      data = data.subarray(8 + size);
    }
    this.pending = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
  }
}
