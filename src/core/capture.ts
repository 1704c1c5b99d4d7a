import { createHash, type Hash } from 'node:crypto';
import type { StreamCapture } from '../trajectory/schema.js';

/**
 * Collects one output stream with bounded memory: the first `cap/2` bytes, a ring of
 * the last `cap/2` bytes, the total count and a running sha256 of everything.
 */
export class OutputCapture {
  private readonly headCap: number;
  private readonly tailCap: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(cap: number) {
    this.headCap = Math.ceil(cap / 2);
    this.tailCap = Math.floor(cap / 2);
  }

  get bytes(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    this.hash.update(chunk);
    let rest = chunk;
    if (this.headBytes < this.headCap) {
      const take = Math.min(this.headCap - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailCap === 0) return;
    // Copy: the chunk may be a view into a pooled buffer that is reused.
    this.tail.push(Buffer.from(rest.subarray(Math.max(0, rest.length - this.tailCap))));
    this.tailBytes += Math.min(rest.length, this.tailCap);
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailCap) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /** The captured stream; head and tail are cut on UTF-8 character boundaries. */
  finish(): StreamCapture {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailCap) tail = tail.subarray(tail.length - this.tailCap);
    const sha256 = this.hash.digest('hex');
    if (head.length + tail.length >= this.total) {
      const whole = Buffer.concat([head, tail]);
      return { ...encodeBytes(whole), bytes: this.total, omitted_bytes: 0, sha256 };
    }
    const headCut = head.subarray(0, utf8BoundaryBefore(head, head.length));
    const tailCut = tail.subarray(utf8BoundaryAfter(tail, 0));
    const omitted = this.total - headCut.length - tailCut.length;
    const headEnc = encodeBytes(headCut);
    const tailEnc = encodeBytes(tailCut);
    if (headEnc.encoding === 'utf8' && tailEnc.encoding === 'utf8') {
      return { text: headEnc.text, tail: tailEnc.text, encoding: 'utf8', bytes: this.total, omitted_bytes: omitted, sha256 };
    }
    return {
      text: headCut.toString('base64'),
      tail: tailCut.toString('base64'),
      encoding: 'base64',
      bytes: this.total,
      omitted_bytes: omitted,
      sha256,
    };
  }
}

/** Keep text as text when it is valid UTF-8, otherwise base64 so no byte is lost. */
export function encodeBytes(bytes: Buffer): { text: string; encoding: 'utf8' | 'base64' } {
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') === bytes.length && Buffer.from(text, 'utf8').equals(bytes)) {
    return { text, encoding: 'utf8' };
  }
  return { text: bytes.toString('base64'), encoding: 'base64' };
}

/** The kept bytes of a capture (head and tail, in order). */
export function capturedBytes(capture: StreamCapture): { head: Buffer; tail: Buffer } {
  const decode = (s: string | undefined) =>
    s === undefined ? Buffer.alloc(0) : Buffer.from(s, capture.encoding === 'base64' ? 'base64' : 'utf8');
  return { head: decode(capture.text), tail: decode(capture.tail) };
}

/** Human-readable text of a capture: lossy for binary, with the omission marked. */
export function captureText(capture: StreamCapture): string {
  const { head, tail } = capturedBytes(capture);
  if (capture.omitted_bytes === 0 && capture.tail === undefined) return head.toString('utf8');
  return `${head.toString('utf8')}\n[… ${capture.omitted_bytes} bytes omitted …]\n${tail.toString('utf8')}`;
}

export function emptyCapture(): StreamCapture {
  return new OutputCapture(0).finish();
}

/** Capture a string as if a command had printed it, cut at `cap` bytes like command output. */
export function textCapture(text: string, cap = Number.MAX_SAFE_INTEGER): StreamCapture {
  const capture = new OutputCapture(cap);
  capture.push(Buffer.from(text, 'utf8'));
  return capture.finish();
}

function utf8BoundaryBefore(buf: Buffer, end: number): number {
  // Step back over continuation bytes so a multibyte character is not split.
  let i = end;
  for (let back = 0; back < 4 && i > 0; back += 1) {
    const byte = buf[i - 1]!;
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return end - (i - 1) >= need ? end : i - 1;
    }
    i -= 1;
  }
  return end;
}

function utf8BoundaryAfter(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && i - start < 3 && (buf[i]! & 0xc0) === 0x80) i += 1;
  return i;
}
