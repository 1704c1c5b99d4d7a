import { describe, expect, it } from 'vitest';
import { checkPipIndex } from '../../src/cli/supply.js';

describe('checkPipIndex()', () => {
  it('takes an http(s) index URL as it is, without a trailing slash', () => {
    expect(checkPipIndex('http://172.17.0.1:8080/simple/')).toBe('http://172.17.0.1:8080/simple');
    expect(checkPipIndex(undefined)).toBeUndefined();
  });

  it('refuses the host\'s loopback, which containers do not reach, saying what to serve on instead', () => {
    expect(() => checkPipIndex('http://127.0.0.1:8080/simple')).toThrow(/ENV_PIP_INDEX_LOOPBACK|loopback, which containers do not reach.*172\.17\.0\.1/);
    expect(() => checkPipIndex('http://localhost/simple')).toThrow(/loopback/);
    expect(() => checkPipIndex('ftp://example.org/simple')).toThrow(/expected an http\(s\) URL/);
  });
});
