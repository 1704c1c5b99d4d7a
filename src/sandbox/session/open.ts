import type { BackendSandbox, SessionSocketDir } from '../backend.js';
import type { Killer } from '../process/kill.js';
import { INTERPRETER_ENV, sessionHelperBash, sessionHelperPerl } from '../scripts/index.js';
import { ShellSession, ShellStartError } from './shell-session.js';
import { openSocketTransport } from './socket-transport.js';
import type { SessionStreams, SessionTransport } from './transport.js';

export interface OpenSessionOptions {
  /** The agent's environment (`NAME=value`), as the sandbox was started with. */
  env: string[];
  cwd: string;
  /** How kills are carried out in this sandbox. */
  killer: () => Killer;
  /** Which helper reports for the shell: perl where the image has it, else bash. */
  helper: 'perl' | 'bash';
  /**
   * The streams over a Unix socket in this directory instead of the engine's attach (perl
   * helper only: bash cannot connect to a Unix socket). Given only for a sandbox's first
   * session: a restart happens while agent processes exist, which could race the helper to
   * a new socket (connect needs no more than the path, and the agent is root in the
   * sandbox); telling the helper from them would need the peer's credentials (SO_PEERCRED,
   * which Node does not expose) or a secret the agent cannot read first (argv, environment
   * and a pipe on the helper's stdin are all readable through /proc). So a restarted
   * session uses the attach, as do sandboxes the backend gives no directory.
   */
  socket?: SessionSocketDir;
  timeoutMs?: number;
}

/**
 * A bash session's transport over a backend process: the session helper (which starts the
 * agent's bash as its child), its stdin for the step lines, its stdout and stderr as the
 * step's streams (over the process's own stdio, or the socket), kills through the sandbox's killer.
 */
export async function openTransport(box: BackendSandbox, options: OpenSessionOptions): Promise<SessionTransport> {
  const streams = options.socket && options.helper === 'perl'
    ? await openSocketTransport(options.socket, (path, token) => spawnHelper(box, options, ['--socket=' + path, token], false), options.timeoutMs ?? 30_000)
    : await openAttachStreams(box, options);
  return {
    ...streams,
    killCommand: (pid, spare) => options.killer().killCommand(pid, spare),
    killShell: (pid) => options.killer().killShell(pid),
  };
}

/** The helper started by the backend, its arguments first (`--socket=…`), then what restores the agent's environment for bash. */
function spawnHelper(box: BackendSandbox, options: OpenSessionOptions, first: string[], stdin: boolean) {
  // The helper is ours: a task's PERL5OPT or BASH_ENV must not run in it. It gives them back to bash.
  const blank = INTERPRETER_ENV.map((name) => `${name}=`);
  const restore = INTERPRETER_ENV.map((name) => options.env.find((e) => e.startsWith(`${name}=`)) ?? name);
  const helper = options.helper === 'perl'
    ? ['/usr/bin/perl', '-e', sessionHelperPerl(), '--', ...first, ...restore]
    : ['/bin/bash', '--noprofile', '--norc', '-c', sessionHelperBash(), 'forager-session', ...restore];
  // A backend that keeps processes in reserve for forager holds the session (the helper, the
  // agent's bash and all it starts) below the sandbox's limit: hard and soft, which root
  // without CAP_SYS_RESOURCE cannot raise. The helper execs in place, keeping its PID.
  const argv = box.agentProcessLimit === undefined
    ? helper
    : ['/bin/bash', '--noprofile', '--norc', '-c', `ulimit -u ${Math.floor(box.agentProcessLimit)} || exit 97; exec "$@"`, 'forager-limit', ...helper];
  return box.spawn(argv, { env: [...options.env, ...blank], cwd: options.cwd, stdin });
}

/** The streams as the engine's attach of the helper carries them. */
async function openAttachStreams(box: BackendSandbox, options: OpenSessionOptions): Promise<SessionStreams> {
  const proc = await spawnHelper(box, options, [], true);
  return {
    kind: 'attach',
    write: (data) => proc.write(data),
    onData: (listener) => proc.onData(listener),
    onEnd: (listener) => proc.onEnd(listener),
    close: () => proc.close(),
  };
}

/**
 * Start a session helper and bash in the sandbox; without perl there, the bash helper. A
 * helper that cannot reach the socket (it exits saying why: a user namespace or runtime
 * that refuses the connection) leaves the attach to carry the session.
 */
export async function openSession(box: BackendSandbox, options: OpenSessionOptions): Promise<ShellSession> {
  let transport: SessionTransport;
  try {
    transport = await openTransport(box, options);
  } catch (error) {
    if (options.socket && error instanceof ShellStartError && error.ended) return openSession(box, { ...options, socket: undefined });
    throw error;
  }
  try {
    return await ShellSession.open(transport, { timeoutMs: options.timeoutMs });
  } catch (error) {
    transport.close();
    // perl gone since the sandbox started (the agent removed it): the bash helper does the same job.
    if (options.helper === 'perl' && error instanceof ShellStartError && error.ended && /perl/.test(error.output)) {
      return openSession(box, { ...options, helper: 'bash', socket: undefined });
    }
    throw error;
  }
}
