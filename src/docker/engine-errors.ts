import { ForagerError, InfrastructureError } from '../core/errors.js';

/** Socket errors that mean no Docker engine answered at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN']);

/**
 * A Docker client's error as forager's: no answer at all is ENGINE_UNREACHABLE, a 5xx
 * answer (an engine shutting down) ENGINE_ERROR; anything else is passed on. Done here, at
 * the backend, so no other folder guesses what a socket error means.
 */
export function translateEngineError(error: unknown): unknown {
  if (error instanceof ForagerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new InfrastructureError('ENGINE_UNREACHABLE', `Docker engine unreachable: ${message}`, { cause: error });
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 500) {
    return new InfrastructureError('ENGINE_ERROR', `Docker engine error: ${message}`, { cause: error });
  }
  return error;
}

/** `target` with every method's failure (thrown or rejected) translated by translateEngineError. */
export function withEngineErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          return out instanceof Promise ? out.catch((error: unknown) => { throw translateEngineError(error); }) : out;
        } catch (error) {
          throw translateEngineError(error);
        }
      };
    },
  });
}
