import { describe, expect, it } from 'vitest';
import { findOnce, numberLines, spliceBytes } from '../../src/file-tools/index.js';
import { captureText } from '../../src/core/capture.js';

describe('findOnce', () => {
  it('finds the one occurrence of the search bytes among invalid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0x80]), Buffer.from('needle'), Buffer.from([0xc3, 0x28])]);
    expect(findOnce(bytes, Buffer.from('needle'))).toEqual({ at: 2 });
  });

  it('counts zero, several and overlapping occurrences', () => {
    expect(findOnce(Buffer.from('abc'), Buffer.from('x'))).toEqual({ matches: 0 });
    expect(findOnce(Buffer.from('a-a-a'), Buffer.from('a'))).toEqual({ matches: 3 });
    expect(findOnce(Buffer.from('aaa'), Buffer.from('aa'))).toEqual({ matches: 2 });
  });

  it('matches an empty search text only in an empty file', () => {
    expect(findOnce(Buffer.alloc(0), Buffer.alloc(0))).toEqual({ at: 0 });
    expect(findOnce(Buffer.from('x'), Buffer.alloc(0))).toEqual({ matches: 2 });
  });

  it('matches multibyte text by its UTF-8 bytes, never through a lossy decode', () => {
    // The U+FFFD a lossy decode would make of 0xff must not match the bytes 0xff.
    expect(findOnce(Buffer.from([0xff]), Buffer.from('\ufffd'))).toEqual({ matches: 0 });
    expect(findOnce(Buffer.from('café ✓'), Buffer.from('é ✓'))).toEqual({ at: 3 });
  });
});

describe('spliceBytes', () => {
  it('replaces only the span and keeps every other byte', () => {
    const bytes = Buffer.from([0xff, 0x41, 0x42, 0x43, 0x00, 0xfe]);
    expect([...spliceBytes(bytes, 1, 3, Buffer.from('✓'))]).toEqual([0xff, 0xe2, 0x9c, 0x93, 0x00, 0xfe]);
  });
});

describe('numberLines', () => {
  it('numbers from the first line of the range, bytes kept, a missing last newline added', () => {
    expect(captureText(numberLines(Buffer.from('a\n\nb'), 7, 1024))).toBe('     7\ta\n     8\t\n     9\tb\n');
  });

  it('keeps invalid UTF-8 losslessly (base64 capture)', () => {
    const capture = numberLines(Buffer.from([0xff, 0x0a]), 1, 1024);
    expect(capture.encoding).toBe('base64');
    expect(Buffer.from(capture.text, 'base64')).toEqual(Buffer.concat([Buffer.from('     1\t'), Buffer.from([0xff, 0x0a])]));
  });
});
