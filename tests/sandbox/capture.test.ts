import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OutputCapture, captureText, capturedBytes, encodeBytes } from '../../src/core/capture.js';

describe('OutputCapture', () => {
  it('keeps small output whole, with its size and hash', () => {
    const capture = new OutputCapture(100);
    capture.push(Buffer.from('hello '));
    capture.push(Buffer.from('world'));
    const out = capture.finish();
    expect(out).toMatchObject({ text: 'hello world', encoding: 'utf8', bytes: 11, omitted_bytes: 0 });
    expect(out.tail).toBeUndefined();
    expect(out.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('keeps head and tail of long output and counts what it omitted', () => {
    const capture = new OutputCapture(10);
    for (let i = 0; i < 100; i += 1) capture.push(Buffer.from(String(i % 10)));
    const out = capture.finish();
    expect(out.text).toBe('01234');
    expect(out.tail).toBe('56789');
    expect(out.omitted_bytes).toBe(90);
    expect(out.bytes).toBe(100);
    expect(captureText(out)).toBe('01234\n[… 90 bytes omitted …]\n56789');
  });

  it('does not split a multibyte character at the cut', () => {
    const capture = new OutputCapture(8);
    capture.push(Buffer.from('aaéé' + 'x'.repeat(50) + 'ééb'));
    const out = capture.finish();
    expect(out.encoding).toBe('utf8');
    expect(out.text).toBe('aaé');
    expect(out.tail).toBe('éb');
    expect(Buffer.byteLength(out.text) + Buffer.byteLength(out.tail!) + out.omitted_bytes).toBe(out.bytes);
  });

  it('stores bytes that are not UTF-8 as base64, losing nothing', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x41, 0xc3]);
    const capture = new OutputCapture(100);
    capture.push(bytes);
    const out = capture.finish();
    expect(out.encoding).toBe('base64');
    expect(capturedBytes(out).head).toEqual(bytes);
  });

  it('encodes valid UTF-8 as text', () => {
    expect(encodeBytes(Buffer.from('ünïcode ✓'))).toEqual({ text: 'ünïcode ✓', encoding: 'utf8' });
  });
});
