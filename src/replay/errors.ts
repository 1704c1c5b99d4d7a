import { ForagerError, type ErrorCode, type ErrorContext, type FailureKind } from '../core/errors.js';

/** A recorded run that cannot be reproduced as it was: its image or its task changed or went away. */
export class ReplayRefusedError extends ForagerError {
  constructor(code: ErrorCode, kind: FailureKind, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, kind, message, options);
  }
}
