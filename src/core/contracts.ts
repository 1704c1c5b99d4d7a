import type { Action, AgentDescription, ExitStatus, ModelTurn, Observation, State } from '../trajectory/schema.js';

export interface ExecOptions {
  /** Per-action timeout; the command's process tree is killed when it runs over. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Record the working directory and the files the command changed (default true). */
  trackState?: boolean;
  /**
   * Harness work (patches, grading): run in a fresh shell of its own, at the workdir,
   * out of reach of the agent's functions, aliases and traps. Implies no state.
   */
  isolated?: boolean;
}

/** A helper process run outside the agent's session (file tools): bounded in every way. */
export interface ToolRunOptions {
  /** Bytes fed to the script's stdin (none when absent). */
  stdin?: Buffer;
  /** Stdout kept at most; past it the process is killed and `stdoutOverflow` set. */
  maxStdoutBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ToolRunResult {
  /** null when the process was killed (timeout, overflow). */
  exitCode: number | null;
  stdout: Buffer;
  stdoutOverflow: boolean;
  /** The first 16 KiB of stderr. */
  stderr: Buffer;
  timedOut: boolean;
  durationMs: number;
}

export interface ExecResult {
  observation: Observation;
  state: State | null;
}

/**
 * Operations on a running sandbox. Lifecycle (`start`) belongs to the provider; a
 * sandbox only knows how to end itself (`stop`). A failed command is a result, never a
 * throw: throws mean the harvester could not do its job.
 */
export interface Sandbox {
  readonly id: string;
  readonly workdir: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** The file's bytes, or null when it does not exist. */
  readFile(path: string, options?: { signal?: AbortSignal }): Promise<Buffer | null>;
  writeFile(path: string, data: Buffer | string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Run a POSIX sh script with `args` ($1…) in the session's working directory but not
   * in the session: a clean environment the agent cannot redefine (its PATH, functions
   * and aliases do not apply). For file tools; output and time are bounded.
   */
  runTool(script: string, args: string[], options: ToolRunOptions): Promise<ToolRunResult>;
  stop(): Promise<void>;
}

/** What the agent sees of the task when it starts. */
export interface AgentContext {
  taskId: string;
  instruction: string;
  workdir: string;
  maxSteps: number;
  signal: AbortSignal;
  /** The task's per-command time limit (CWM's prompt names it). */
  actionTimeoutS?: number;
}

/**
 * Why an answer is not a valid action. `message` never carries the name: the agent's tool
 * format shows it as `NAME: message` (`renderInvalid`), once.
 */
export interface FormatProblem {
  /** `FormatError`, or a format's own name for a kind of problem (CWM's `NoSuchToolError`). */
  name: string;
  message: string;
  /**
   * Set when a tool's own checks refused the call before it ran (CWM's edit plugin on a
   * body it cannot parse): the message is shown as that tool's result, not as a format error.
   */
  tool?: string;
}

export type AgentDecision =
  /**
   * `replayOf`: the index of the recorded step this action replays (replay and fork
   * prefixes). `toolCallId`: the model's tool call this step carries out; `model` is on
   * the first step of an answer only (several calls of one answer are several steps).
   */
  | { type: 'action'; action: Action; model?: ModelTurn; replayOf?: number; toolCallId?: string }
  /** The agent produced something that is not a valid action (a format error). */
  | { type: 'invalid'; problem: FormatProblem; model?: ModelTurn; replayOf?: number; toolCallId?: string }
  /** `submission`: what the agent submitted, when it ends the run after a submit (CWM's final answer). */
  | { type: 'stop'; exitStatus: ExitStatus; reason?: string; model?: ModelTurn; submission?: string };

/** The result of the previous decision, handed to the agent's next turn. */
export interface StepOutcome {
  action: Action | null;
  observation: import('../trajectory/schema.js').Observation | null;
  /** The exact text the agent is shown for this step. */
  shown: string;
}

/** Anything that decides the next action: scripted, replay or model-driven. */
export interface Agent {
  /** JSON-safe description for the trajectory header (never secrets). */
  describe(): AgentDescription;
  start(context: AgentContext): Promise<void>;
  next(previous: StepOutcome | undefined, signal: AbortSignal): Promise<AgentDecision>;
  /** Render an observation as the text this agent shows its model. */
  render(action: Action, observation: Observation): string;
  /** Render a format problem as the text this agent shows its model (default `NAME: message`). */
  renderInvalid?(problem: FormatProblem): string;
  /**
   * Take over after steps another agent played (a fork): the agent's conversation gains
   * them as if it had taken those actions itself. Called once, right after `start`.
   */
  resume?(history: StepOutcome[]): void;
  /**
   * Carry out an action with the agent's own tool rules (CWM's edit, create and submit);
   * undefined leaves it to forager's tools.
   */
  perform?(sandbox: Sandbox, action: Action, options: { timeoutMs: number; signal?: AbortSignal }): Promise<(ExecResult & { failure?: import('../trajectory/schema.js').Failure }) | undefined>;
  /** A submit does not end the run: the agent ends it (CWM: a final answer after a submit). */
  readonly continuesAfterSubmit?: boolean;
}
