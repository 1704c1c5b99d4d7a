import type { BackendSandbox } from '../backend.js';
import type { Killer } from '../process/kill.js';
import { INTERPRETER_ENV, sessionHelperBash, sessionHelperPerl } from '../scripts/index.js';
import { ShellSession, ShellStartError } from './shell-session.js';
import type { SessionTransport } from './transport.js';

export interface OpenSessionOptions {
  /** The agent's environment (`NAME=value`), as the sandbox was started with. */
  env: string[];
  cwd: string;
  /** How kills are carried out in this sandbox. */
  killer: () => Killer;
  /** Which helper reports for the shell: perl where the image has it, else bash. */
  helper: 'perl' | 'bash';
  timeoutMs?: number;
}

/**
 * A bash session's transport over a backend process: the session helper (which starts the
 * agent's bash as its child), its stdin for the step lines, its stdout and stderr as the
 * step's streams, kills through the sandbox's killer.
 */
export async function openTransport(box: BackendSandbox, options: OpenSessionOptions): Promise<SessionTransport> {
  // The helper is ours: a task's PERL5OPT or BASH_ENV must not run in it. It gives them back to bash.
  const blank = INTERPRETER_ENV.map((name) => `${name}=`);
  const restore = INTERPRETER_ENV.map((name) => options.env.find((e) => e.startsWith(`${name}=`)) ?? name);
  const helper = options.helper === 'perl'
    ? ['/usr/bin/perl', '-e', sessionHelperPerl(), ...restore]
    : ['/bin/bash', '--noprofile', '--norc', '-c', sessionHelperBash(), 'forager-session', ...restore];
  // A backend that keeps processes in reserve for forager holds the session (the helper, the
  // agent's bash and all it starts) below the sandbox's limit: hard and soft, which root
  // without CAP_SYS_RESOURCE cannot raise. The helper execs in place, keeping its PID.
  const argv = box.agentProcessLimit === undefined
    ? helper
    : ['/bin/bash', '--noprofile', '--norc', '-c', `ulimit -u ${Math.floor(box.agentProcessLimit)} || exit 97; exec "$@"`, 'forager-limit', ...helper];
  const proc = await box.spawn(argv, { env: [...options.env, ...blank], cwd: options.cwd, stdin: true });
  return {
    write: (data) => proc.write(data),
    onData: (listener) => proc.onData(listener),
    onEnd: (listener) => proc.onEnd(listener),
    killCommand: (pid, spare) => options.killer().killCommand(pid, spare),
    killShell: (pid) => options.killer().killShell(pid),
    close: () => proc.close(),
  };
}

/** Start a session helper and bash in the sandbox; without perl there, the bash helper. */
export async function openSession(box: BackendSandbox, options: OpenSessionOptions): Promise<ShellSession> {
  const transport = await openTransport(box, options);
  try {
    return await ShellSession.open(transport, { timeoutMs: options.timeoutMs });
  } catch (error) {
    transport.close();
    // perl gone since the sandbox started (the agent removed it): the bash helper does the same job.
    if (options.helper === 'perl' && error instanceof ShellStartError && error.ended && /perl/.test(error.output)) {
      return openSession(box, { ...options, helper: 'bash' });
    }
    throw error;
  }
}
