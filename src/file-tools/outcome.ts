import type { AgentCode } from '../core/errors.js';
import type { Failure } from '../trajectory/schema.js';

/** Why a file tool did not do what was asked: shown to the agent, recorded as an `agent` failure. */
export class ToolRefusal {
  constructor(
    readonly code: AgentCode,
    readonly message: string,
    readonly timedOut = false,
  ) {}

  get failure(): Failure {
    return { kind: 'agent', code: this.code, message: this.message };
  }
}

/** The bytes a tool read, or why it could not. */
export type ReadOutcome = { bytes: Buffer } | { refusal: ToolRefusal };
