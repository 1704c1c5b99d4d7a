import type { AgentCode, ErrorCode, FailureKind, InfrastructureCode, TaskCode } from './codes.js';

/**
 * Failure kinds split the blame: `agent` (the agent ended badly: limits, format
 * errors), `task` (the task itself is broken: bad file, setup or build fails) and
 * `infrastructure` (the harvester's world failed: engine down, container killed).
 * Every code is in the registry (codes.ts) with its kind and retry class; what is retried
 * is decided by core/failure.ts from it.
 */
export type { AgentCode, ErrorCode, FailureKind, InfrastructureCode, RetryClass, TaskCode, HttpCode, CodeOfKind } from './codes.js';
export { ERROR_CODES, codeInfo } from './codes.js';

export interface ErrorContext {
  [key: string]: string | number | boolean | null | undefined;
}

/** Root of every error forager throws on purpose. */
export class ForagerError extends Error {
  readonly code: ErrorCode;
  readonly kind: FailureKind;
  readonly context: ErrorContext;

  constructor(
    code: ErrorCode,
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
  constructor(code: TaskCode, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, 'task', message, options);
  }
}

/** The engine, the container or the image went away under us. */
export class InfrastructureError extends ForagerError {
  constructor(code: InfrastructureCode, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, 'infrastructure', message, options);
  }
}

/** The run was aborted by a signal or by its wall limit. */
export class AbortedError extends ForagerError {
  constructor(message = 'aborted', options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('ABORTED', 'infrastructure', message, options);
  }
}

/** An error the agent caused (a file too large to take in, a sandbox it broke). */
export class AgentError extends ForagerError {
  constructor(code: AgentCode, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, 'agent', message, options);
  }
}

/**
 * Anything thrown, as a ForagerError: forager's own errors as they are, anything else as
 * forager's own bug (INTERNAL). Errors of a backend are translated where they arise, in the
 * backend's folder (a Docker engine that does not answer is ENGINE_UNREACHABLE there).
 */
export function toForagerError(error: unknown): ForagerError {
  if (error instanceof ForagerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ForagerError('INTERNAL', 'infrastructure', message, { cause: error });
}
