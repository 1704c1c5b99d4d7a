import { describe, expect, it } from 'vitest';
import { SentinelSplitter } from '../../src/sandbox/sentinel.js';
import { FrameDemuxer } from '../../src/docker/frames.js';

describe('SentinelSplitter', () => {
  it('finds a marker split across chunks and passes the body on', () => {
    const body: Buffer[] = [];
    const splitter = new SentinelSplitter(Buffer.from('<<END>>'), (c) => body.push(Buffer.from(c)));
    for (const piece of ['hello <', '<E', 'N', 'D>', '>trail', 'er']) splitter.push(Buffer.from(piece));
    expect(Buffer.concat(body).toString()).toBe('hello ');
    expect(splitter.seen).toBe(true);
    expect(splitter.trailer.toString()).toBe('trailer');
  });

  it('releases a held partial marker that turned out to be output', () => {
    const body: Buffer[] = [];
    const splitter = new SentinelSplitter(Buffer.from('<<END>>'), (c) => body.push(Buffer.from(c)));
    splitter.push(Buffer.from('a <<EN'));
    splitter.push(Buffer.from('X b <<'));
    splitter.flush();
    expect(Buffer.concat(body).toString()).toBe('a <<ENX b <<');
    expect(splitter.seen).toBe(false);
  });
});

describe('FrameDemuxer', () => {
  it('splits Docker frames into stdout and stderr, across chunk boundaries', () => {
    const frame = (type: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const seen: string[] = [];
    const demux = new FrameDemuxer((type, payload) => seen.push(`${type}:${payload.toString()}`));
    const all = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, 'more')]);
    for (let i = 0; i < all.length; i += 5) demux.push(all.subarray(i, i + 5));
    expect(seen).toEqual(['1:out', '2:err', '1:more']);
  });
});
