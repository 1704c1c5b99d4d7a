/**
 * Every error and failure code forager writes, each with the failure kind it is recorded
 * with and what to do about it (core/failure.ts). A code is a member of this registry or
 * it does not compile: a typo cannot change how a failure is retried.
 *
 * Retry classes:
 * - `retry-now`: the harvester's world hiccuped (engine, container, network, an endpoint's
 *   transient answer): try again after a backoff;
 * - `redo-on-resume`: the run does not count, but retrying at once will not help: a resume
 *   of the batch runs it again;
 * - `final`: the trajectory stands as it is.
 */
export type FailureKind = 'agent' | 'task' | 'infrastructure';
export type RetryClass = 'retry-now' | 'redo-on-resume' | 'final';

interface CodeInfo {
  kind: FailureKind;
  retry: RetryClass;
}

const now = { kind: 'infrastructure', retry: 'retry-now' } as const;
const redo = { kind: 'infrastructure', retry: 'redo-on-resume' } as const;
const bug = { kind: 'infrastructure', retry: 'final' } as const;
const task = { kind: 'task', retry: 'final' } as const;
const agent = { kind: 'agent', retry: 'final' } as const;

export const ERROR_CODES = {
  // The harvester's world: the engine, the sandbox, the model endpoint's transport.
  ENGINE_UNREACHABLE: now, // the engine did not answer (stopped, restarting)
  ENGINE_ERROR: now, // the engine answered 5xx (e.g. while shutting down)
  CONTAINER_GONE: now, // the sandbox stopped or was removed from outside
  CONTAINER_OOM_KILLED: now, // killed for memory from outside the agent's control
  IMAGE_BUILD_TRANSIENT: now, // a build failed on a network or mirror hiccup
  WATCHDOG_TIMEOUT: now, // the attempt hung past its wall limit (a hung engine call)
  MODEL_CONNECTION: now, // no HTTP answer from the model endpoint
  MODEL_TIMEOUT: now, // the model endpoint did not answer in time
  MODEL_STREAM_IDLE: now, // a stream stopped delivering events
  MODEL_INVALID_RESPONSE: redo,
  MODEL_RESPONSE_TOO_LARGE: redo,
  MODEL_RETRY_AFTER_TOO_LONG: redo,
  ABORTED: redo, // the user's abort (a signal): a resume runs it again
  UNKNOWN: redo,
  INTERNAL: bug, // forager's own bug: it would fail the same way again
  ENGINE_DISK_LOW: redo,
  ENGINE_INSTALL_FAILED: redo,
  ENGINE_START_FAILED: redo,
  BASE_IMAGE_FAILED: redo,
  IMAGE_IMPORT_FAILED: redo,
  IMAGE_GONE: redo,
  SANDBOX_START: redo,
  SANDBOX_STOPPED: redo,
  SHELL_START: redo,
  SHELL_DEAD: redo,
  TOOL_PROCESS_GONE: now, // the tool process ended under a request (the next file operation starts another)
  KILL_FAILED: redo,
  STATE_READER_UNAVAILABLE: redo,
  LAYER_WATCHER_UNAVAILABLE: redo,
  LAYER_WATCHER_FAILED: redo,
  LAYER_WATCHER_ENDED: redo,
  LAYER_WATCHER_TIMEOUT: redo,
  LOCK_TIMEOUT: redo,
  LOCK_FAILED: redo,
  READ_FAILED: redo,
  WRITE_FAILED: redo,
  PATCH_UNREADABLE: redo,
  BAD_MIN_FREE: bug,
  RUNTIME_UNAVAILABLE: redo, // the runtime (runsc…) is not registered with the engine or cannot start
  RUNTIME_INSTALL_FAILED: redo,
  RUNTIME_START_FAILED: redo,
  DISK_MOUNT_UNAVAILABLE: redo,
  DISK_MOUNT_FAILED: redo,
  LIMITS_UNENFORCED: redo, // the backend would run sandboxes without their limits (rootless Podman on cgroup v1) and the operator did not accept that

  // The task, its files or the operator's input cannot be used as they are.
  USAGE: task,
  CONFIG_INVALID: task,
  OUT_REQUIRED: task,
  AGENT_SPEC_NOT_FOUND: task,
  AGENT_SPEC_SYNTAX: task,
  AGENT_SPEC_INVALID: task,
  PRICES_NOT_FOUND: task,
  PRICES_SYNTAX: task,
  PRICES_INVALID: task,
  RULES_NOT_FOUND: task,
  RULES_SYNTAX: task,
  RULES_INVALID: task,
  BAD_MODEL_OVERRIDE: task,
  BAD_PROMPT_TEMPLATE: task,
  CWM_INVALID: task,
  TASK_INVALID: task,
  TASK_SYNTAX: task,
  TASK_NOT_FOUND: task,
  TASK_PATH_REFUSED: task,
  TASK_KEY_ENV_REFUSED: task,
  TASK_NEEDS_SHARED_PATH: task,
  TASK_PAYLOAD_TOO_LARGE: task,
  TASK_HASH_MISMATCH: task,
  TASK_CHANGED: task,
  SETUP_FAILED: task,
  TEST_PATCH_FAILED: task,
  PATCH_EXTRACT_FAILED: task,
  IMAGE_MISSING: task,
  IMAGE_RECIPE_MISSING: task,
  IMAGE_DOCKERFILE_MISSING: task,
  IMAGE_BUILD_FAILED: task,
  IMAGE_NOT_RECORDED: task,
  IMAGE_RETAGGED: task,
  REPO_INVALID: task,
  REPO_MISSING: task,
  REPO_COMMIT_MISSING: task,
  REPO_FETCH_FAILED: task,
  REPO_GIT_FAILED: task,
  REPO_SCRUB_FAILED: task,
  GIT_UNAVAILABLE: task,
  UNKNOWN_SANDBOX_PROVIDER: task,
  PODMAN_ENDPOINT_UNSUPPORTED: task, // CONTAINER_HOST names a transport forager cannot reach Podman by (ssh://)
  RUNTIME_NO_NETWORK: task, // a task asks for a network its runtime cannot give (runsc: none only)
  UNSANDBOXED_REFUSED: task,
  SHELL_UNAVAILABLE: task, // the image cannot run bash at all (no /bin/bash, or one that does not start)
  UNSANDBOXED_NO_IMAGES: task,
  UNSANDBOXED_WORKDIR: task,
  UNSANDBOXED_WORKDIR_BUSY: task,
  QUEUE_URL_INVALID: task,
  QUEUE_CANNOT_CARRY: task,
  JOB_PAYLOAD_INVALID: task,
  BATCH_ID_INVALID: task,
  BATCH_NOT_FOUND: task,
  FORK_STEP_INVALID: task,
  TRAJECTORY_INVALID: task,
  TRAJECTORY_IMPORTED: task,
  IMPORT_INVALID: task,
  LINE_TOO_LONG: task,
  INPUT_TOO_LARGE: task,
  EXPORT_BAD_FLAGS: task,
  EXPORT_BAD_SPLIT: task,
  EXPORT_INPUT_MISSING: task,
  EXPORT_LIST_UNREADABLE: task,
  HARNESS_REPORT_INVALID: task,
  HARNESS_SIDECAR_INVALID: task,
  VIEW_NOT_FOUND: task,
  MUTATE_AGENT_INVALID: task,
  MUTATE_ARCHIVE_FAILED: task,
  MUTATE_ENUMERATE_FAILED: task,
  MUTATE_FILE_MISSING: task,
  MUTATE_HELPER_OUTPUT: task,
  MUTATE_KINDS_INVALID: task,
  MUTATE_NO_PASSING_TESTS: task,
  MUTATE_NO_PYTHON: task,
  MUTATE_RESTORE_FAILED: task,
  MUTATE_SOURCE_INVALID: task,
  MUTATE_SOURCE_MISSING: task,
  TRACE_EXPORT_FORMAT: task,
  TRACE_INVALID: task,
  TRACE_LIMITS_INVALID: task,
  TRACE_MISSING: task,
  TRACE_PAIR_INVALID: task,
  TRACE_PATHS_REQUIRED: task,
  TRACE_REPLAY_FAILED: task,
  TRACE_SETUP_FAILED: task,
  ENV_PROBE_FAILED: task,
  ENV_FILE_UNREADABLE: task,
  ENV_FILE_TOO_LARGE: task,
  ENV_DEBIAN_UNREACHABLE: task,
  ENV_LIST_INVALID: task,
  ENV_CLONE_FAILED: task,
  ENV_REVISION_MISSING: task,
  ENV_RECORD_INVALID: task,
  ENV_PIP_INDEX_INVALID: task,
  ENV_PIP_INDEX_LOOPBACK: task,
  ENV_NO_REPOSITORIES: task,
  MINE_ENV_UNVERIFIED: task,
  MINE_NO_SELECT: task,
  MINE_COMMIT_NOT_CANDIDATE: task,
  // Why a repository got no environment (env.json's reason; src/env/).
  ENV_NO_TESTS: task,
  ENV_NEEDS_NETWORK: task,
  ENV_DEPENDENCY_MISSING: task,
  ENV_TESTS_HANG: task,
  ENV_BUILD_FAILED: task,
  ENV_TESTS_DO_NOT_RUN: task,
  ENV_NOT_REPRODUCED: task,
  ENV_NO_PASSING_TESTS: task,
  ENV_INSTALLER_FAILED: task,

  // The agent ended badly, or misused a tool (the step records it; the run may go on).
  WALL_TIME: agent,
  MAX_STEPS: agent,
  MAX_TOKENS: agent,
  MAX_COST: agent,
  FORMAT_ERRORS: agent,
  REFUSED: agent,
  AGENT_ERROR: agent, // the agent stopped with an error of its own
  DISK_LIMIT: agent,
  EDIT_NO_MATCH: agent,
  EDIT_AMBIGUOUS: agent,
  FILE_EXISTS: agent,
  FILE_NOT_FOUND: agent,
  FILE_NOT_TEXT: agent,
  FILE_TOO_LARGE: agent,
  FILE_UNREADABLE: agent,
  IS_A_DIRECTORY: agent,
  NOT_A_REGULAR_FILE: agent,
  NO_PARENT_FOLDER: agent,
  LINE_RANGE: agent,
  TOOL_TIMEOUT: agent,
  TOOL_WRITE_FAILED: agent,
  SANDBOX_ENDED_BY_AGENT: agent, // the sandbox's main process ended from inside before its deadline (kill -9 -1)
  SHELL_BROKEN: agent, // the sandbox can no longer start bash: the agent removed or broke it
} as const satisfies Record<string, CodeInfo>;

type Registry = typeof ERROR_CODES;

/** An HTTP error of a model endpoint: its kind and retry class follow the status (core/failure.ts). */
export type HttpCode = `MODEL_HTTP_${number}`;
export type ErrorCode = keyof Registry | HttpCode;
/** The codes recorded with failure kind K. */
export type CodeOfKind<K extends FailureKind> = { [C in keyof Registry]: Registry[C]['kind'] extends K ? C : never }[keyof Registry];
export type TaskCode = CodeOfKind<'task'>;
export type InfrastructureCode = CodeOfKind<'infrastructure'>;
export type AgentCode = CodeOfKind<'agent'>;

/** What the registry says of a code, or undefined for a code it does not know (one read from an old file). */
export function codeInfo(code: string): CodeInfo | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as keyof Registry] : undefined;
}
