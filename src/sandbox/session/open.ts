import { readFileSync } from 'node:fs';
import type { BackendSandbox } from '../backend.js';
import { killAllBut, killTree } from '../process/kill.js';
import { ShellSession } from './shell-session.js';
import type { SessionTransport } from './transport.js';

export interface OpenSessionOptions {
  env: string[];
  cwd: string;
  /** PIDs every kill spares (the sandbox's dead-man); PID 1 is always spared. */
  spare: number[];
  timeoutMs?: number;
}

/**
 * A bash session's transport over a backend process: stdin written to it, stdout and
 * stderr as the backend delivers them, kills through separate processes.
 */
export async function openTransport(box: BackendSandbox, options: OpenSessionOptions): Promise<SessionTransport> {
  // A backend that keeps processes in reserve for forager holds the session (and all it
  // starts) below the sandbox's limit: hard and soft, which root without CAP_SYS_RESOURCE cannot raise.
  const argv = box.agentProcessLimit === undefined
    ? ['bash', '--noprofile', '--norc']
    : ['bash', '--noprofile', '--norc', '-c', `ulimit -u ${Math.floor(box.agentProcessLimit)} || exit 97; exec bash --noprofile --norc`];
  const proc = await box.spawn(argv, { env: options.env, cwd: options.cwd, stdin: true });
  return {
    write: (data) => proc.write(data),
    onData: (listener) => proc.onData(listener),
    onEnd: (listener) => proc.onEnd(listener),
    killCommand: (pid, sinceTicks) => killTree(box, pid, sinceTicks),
    killAll: async () => { await killAllBut(box, options.spare); },
    exitCode: () => proc.exitCode(),
    close: () => proc.close(),
  };
}

/** The host's clock ticks since boot: the sandbox's too when it shares this host's kernel (no time namespace). */
function hostUptimeTicks(): number | undefined {
  try {
    const [whole, frac] = readFileSync('/proc/uptime', 'latin1').split(' ')[0]!.split('.');
    return Number(whole) * 100 + Number((frac ?? '0').padEnd(2, '0').slice(0, 2));
  } catch {
    return undefined;
  }
}

/** Start bash in the sandbox and a session on it. */
export async function openSession(box: BackendSandbox, options: OpenSessionOptions): Promise<ShellSession> {
  const transport = await openTransport(box, options);
  try {
    return await ShellSession.open(transport, { timeoutMs: options.timeoutMs, kernelTicks: box.localKernel ? hostUptimeTicks : undefined });
  } catch (error) {
    transport.close();
    throw error;
  }
}
