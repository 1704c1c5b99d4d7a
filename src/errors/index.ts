/**
 * Failure kinds split the blame: `agent` (the agent ended badly: limits, format
 * errors), `task` (the task itself is broken: bad file, setup or build fails) and
 * `infrastructure` (the harvester's world failed: engine down, container killed).
 * What is retried is decided by core/failure.ts, from the kind and the code.
 */
export type FailureKind = 'agent' | 'task' | 'infrastructure';

export interface ErrorContext {
  [key: string]: string | number | boolean | null | undefined;
}

/** Root of every error forager throws on purpose. */
export class ForagerError extends Error {
  readonly code: string;
  readonly kind: FailureKind;
  readonly context: ErrorContext;

  constructor(
    code: string,
    kind: FailureKind,
    message: string,
    options: { context?: ErrorContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
    this.context = options.context ?? {};
  }
}

/** A task file or task set that cannot be used as it is. */
export class TaskError extends ForagerError {
  constructor(code: string, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, 'task', message, options);
  }
}

/** The engine, the container or the image went away under us. */
export class InfrastructureError extends ForagerError {
  constructor(code: string, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, 'infrastructure', message, options);
  }
}

/** The run was aborted by a signal or by its wall limit. */
export class AbortedError extends ForagerError {
  constructor(message = 'aborted', options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('ABORTED', 'infrastructure', message, options);
  }
}

/** Classify anything thrown into a ForagerError, keeping the original as `cause`. */
export function toForagerError(error: unknown): ForagerError {
  if (error instanceof ForagerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isEngineUnreachable(error)) {
    return new InfrastructureError('ENGINE_UNREACHABLE', `Docker engine unreachable: ${message}`, { cause: error });
  }
  if (isEngineError(error)) {
    return new InfrastructureError('ENGINE_ERROR', `Docker engine error: ${message}`, { cause: error });
  }
  return new ForagerError('INTERNAL', 'infrastructure', message, { cause: error });
}

/** Errors that mean the Docker engine did not answer at all. */
export function isEngineUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'EAI_AGAIN';
}

/** A server-side error answered by the engine (HTTP 5xx), e.g. while it shuts down or restarts. */
export function isEngineError(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 500;
}
