import { describe, expect, it } from 'vitest';
import { ResponseTooLargeError } from '../../../src/model/index.js';
import { readBodyText, readErrorText } from '../../../src/model/http/read-body.js';

/** A response that yields `count` chunks of `size` bytes, counting how many were pulled. */
function endless(size: number, count: number, headers: Record<string, string> = {}): { response: Response; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(size).fill(0x61);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === count) controller.close();
      else {
        pulled += 1;
        controller.enqueue(chunk);
      }
    },
  }, { highWaterMark: 0 });
  return { response: new Response(body, { headers }), pulled: () => pulled };
}

describe('readBodyText()', () => {
  it('reads a body within the limit, a UTF-8 character split between chunks included', async () => {
    const bytes = new TextEncoder().encode('{"text":"héllo"}');
    const split = bytes.indexOf(0xc3) + 1;
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, split)); c.enqueue(bytes.slice(split)); c.close(); } });
    expect(await readBodyText(new Response(body), 1_000, {})).toBe('{"text":"héllo"}');
  });

  it('stops reading as soon as the body passes the limit, without pulling the rest', async () => {
    const { response, pulled } = endless(64 * 1024, 10_000);
    const error = await readBodyText(response, 1024 * 1024, { url: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ code: 'MODEL_RESPONSE_TOO_LARGE', context: { url: 'u', limit_bytes: 1024 * 1024 } });
    expect((error as Error).message).toMatch(/response limit is 1048576 bytes \(max_response_bytes, --max-response\)/);
    expect(pulled()).toBeLessThanOrEqual(18);
  });

  it('refuses a declared content-length past the limit before reading any of it', async () => {
    const { response, pulled } = endless(1024, 100, { 'content-length': String(2 * 1024 ** 3) });
    await expect(readBodyText(response, 1024 * 1024, {})).rejects.toThrow(/declares 2147483648 bytes/);
    expect(pulled()).toBeLessThanOrEqual(1);
  });
});

describe('readErrorText()', () => {
  it('reads only the start of an error answer, and says where it was cut', async () => {
    const { response, pulled } = endless(16 * 1024, 100_000);
    const text = await readErrorText(response, 64 * 1024);
    expect(text.length).toBeLessThan(64 * 1024 + 100);
    expect(text).toMatch(/… \(cut at 65536 bytes\)$/);
    expect(pulled()).toBeLessThanOrEqual(5);
  });
});
