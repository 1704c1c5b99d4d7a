import { InfrastructureError } from '../../core/errors.js';
import type { BackendSandbox } from '../backend.js';
import type { SessionChild } from '../session/protocol.js';
import { runOneShot } from './run.js';
import { killScriptBash } from '../scripts/index.js';

/** What a kill did, from the kernel's point of view. */
export interface KillReport {
  /** Processes SIGKILLed. */
  killed: number;
  /** Every one of them is gone or a zombie (its parent reaps it). */
  confirmed: boolean;
  /** The shell after a `command` kill: what it is doing now. */
  shell?: ShellFacts;
}

/** The session's shell as /proc shows it. */
export interface ShellFacts {
  /** /proc/PID/stat state: R running, S sleeping, D disk, T stopped, Z zombie. */
  state: string;
  /** Its CPU time so far, in clock ticks. */
  cpuTicks: number;
  /** Blocked reading its own input (fd 0): the command is over and its end report is on its way. Undefined when /proc does not say. */
  readingInput: boolean | undefined;
}

/**
 * Kills in a sandbox, by kernel facts: which processes are the shell's children, which of
 * them the last step left (PID and start time, so a reused PID is not mistaken for one),
 * and each tree stopped before it is killed so that nothing forks meanwhile.
 */
export interface Killer {
  /** The trees of the shell's children that are not `spare`: one command's processes. */
  killCommand(shellPid: number, spare: SessionChild[]): Promise<KillReport>;
  /** The shell and everything under it. */
  killShell(shellPid: number): Promise<KillReport>;
  /** Every process but PID 1, the killer and `spare`. */
  killAllBut(spare: number[]): Promise<KillReport>;
}

/** `killed NUL confirmed NUL state NUL cputicks NUL syscall…` */
export function parseKillAnswer(text: string): KillReport {
  const [killed, confirmed, state, cpu, syscall] = text.split('\0');
  const report: KillReport = { killed: Number(killed) || 0, confirmed: confirmed === '1' };
  if (state) report.shell = { state, cpuTicks: Number(cpu) || 0, readingInput: readingInput(syscall ?? '') };
  return report;
}

/**
 * Whether /proc/PID/syscall (+ wchan) shows a read of fd 0 from a pipe: `0 0x0 …` on x86-64,
 * `63 0x0 …` on arm64. Undefined when neither file could be read.
 */
export function readingInput(syscall: string): boolean | undefined {
  const wchan = /wchan=(\S*)/.exec(syscall)?.[1];
  const [call, fd] = syscall.replace(/\s*wchan=\S*/, '').trim().split(/\s+/);
  if (call && /^\d+$/.test(call)) return (call === '0' || call === '63') && fd === '0x0';
  if (call === 'running') return false;
  if (wchan) return /pipe_read/.test(wchan) ? undefined : false;
  return undefined;
}

/** What the kill script prints last: without it the script never ran (every PID taken: the backend could not start it). */
const DONE = '\nforager-killer-done';

/** Kills through a process started for each: for sandboxes without a tool process. */
export function execKiller(box: BackendSandbox): Killer {
  const kill = async (mode: string, shell: number, spare: string[]): Promise<KillReport> => {
    const argv = ['/bin/bash', '--noprofile', '--norc', '-c', killScriptBash(), 'forager-kill', mode, String(shell), ...spare];
    const once = async (): Promise<string | undefined> => {
      const out = (await runOneShot(box, argv, { maxBytes: 4096, env: ['BASH_ENV=', 'ENV='] })).stdout.toString('latin1');
      return out.endsWith(DONE) ? out.slice(0, -DONE.length) : undefined;
    };
    const first = await once().catch(() => undefined);
    if (first !== undefined) return parseKillAnswer(first);
    if (!box.lendPids) throw new InfrastructureError('KILL_FAILED', 'the kill script could not start in the sandbox (every PID taken?) and the backend cannot lend PIDs', { context: { sandbox: box.id } });
    const restore = await box.lendPids(16);
    try {
      const second = await once();
      if (second === undefined) throw new InfrastructureError('KILL_FAILED', 'the kill script could not start in the sandbox even with PIDs lent', { context: { sandbox: box.id } });
      return parseKillAnswer(second);
    } finally {
      await restore();
    }
  };
  return {
    killCommand: (shellPid, spare) => kill('command', shellPid, spare.map((c) => `${c.pid}:${c.startTicks}`)),
    killShell: (shellPid) => kill('shell', shellPid, []),
    killAllBut: (spare) => kill('all', 0, spare.map(String)),
  };
}

/**
 * Bash (builtins only, no fork) that puts the children of a PID in `kids`: from the
 * kernel's `/proc/PID/task/TID/children` files where they exist, else (gVisor's /proc has
 * none) from every process's parent, field 4 of its /proc/PID/stat.
 */
const KIDS = `
kids_of() {
  local t k s p line rest
  kids=()
  if [ -e "/proc/$1/task/$1/children" ]; then
    for t in /proc/$1/task/*/children; do
      k=(); read -r -a k < "$t" 2>/dev/null
      kids+=("\${k[@]}")
    done
    return
  fi
  for s in /proc/[0-9]*/stat; do
    line=; read -r line < "$s" 2>/dev/null || continue
    rest=(\${line##*) })
    p=\${s#/proc/}; p=\${p%/stat}
    [ "\${rest[1]}" = "$1" ] && kids+=("$p")
  done
}`;

/**
 * The processes a sandbox's init started itself (its dead-man), read once at start before
 * anything else runs there: kills spare them by PID, never by what they call themselves.
 */
export async function initChildren(box: BackendSandbox): Promise<number[]> {
  const out = await runOneShot(box, ['/bin/bash', '--noprofile', '--norc', '-c', `${KIDS}\nkids_of 1; printf '%s\\n' "\${kids[@]}"; :`], { maxBytes: 4096 });
  return out.stdout.toString('latin1').split('\n').filter((s) => /^\d+$/.test(s)).map(Number);
}
