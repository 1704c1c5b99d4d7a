import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.js';
import { translateEngineError, withEngineErrors } from '../../src/docker/engine-errors.js';

describe('Docker engine errors, translated at the backend', () => {
  it('reads a socket error as an engine that does not answer, a 5xx as an engine error, and passes the rest on', () => {
    expect(translateEngineError(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'infrastructure', code: 'ENGINE_UNREACHABLE' });
    expect(translateEngineError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
    expect(translateEngineError(Object.assign(new Error('server error'), { statusCode: 500 }))).toMatchObject({ code: 'ENGINE_ERROR' });
    const notFound = Object.assign(new Error('no such container'), { statusCode: 404 });
    expect(translateEngineError(notFound)).toBe(notFound);
    const ours = new InfrastructureError('CONTAINER_GONE', 'gone');
    expect(translateEngineError(ours)).toBe(ours);
  });

  it('wraps every method of a backend object, thrown or rejected, and leaves values alone', async () => {
    const wrapped = withEngineErrors({
      label: 'x',
      async down(): Promise<void> { throw Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }); },
      now(): number { throw Object.assign(new Error('reset'), { code: 'ECONNRESET' }); },
      ok: async () => 42,
    });
    expect(wrapped.label).toBe('x');
    await expect(wrapped.down()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE', kind: 'infrastructure' });
    expect(() => wrapped.now()).toThrow(expect.objectContaining({ code: 'ENGINE_UNREACHABLE' }));
    expect(await wrapped.ok()).toBe(42);
  });
});
