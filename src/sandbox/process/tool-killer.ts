import { InfrastructureError } from '../../core/errors.js';
import { parseKillAnswer, type Killer, type KillReport } from './kill.js';
import type { ToolProcess } from './tool-process.js';

/** Kills through the sandbox's tool process: no process is started, so a fork bomb holding every PID cannot stop them. */
export function toolKiller(tool: ToolProcess): Killer {
  const kill = async (mode: string, shell: number, spare: string[]): Promise<KillReport> => {
    const answer = await tool.request('kill', [mode, String(shell), ...spare], { timeoutMs: 30_000, maxBytes: 4096 });
    if (answer.status !== 0) throw new InfrastructureError('KILL_FAILED', `the tool process could not kill (${answer.timedOut ? 'timed out' : answer.stderr.toString('utf8').slice(0, 200)})`);
    return parseKillAnswer(answer.stdout.toString('latin1'));
  };
  return {
    killCommand: (shellPid, spare) => kill('command', shellPid, spare.map((c) => `${c.pid}:${c.startTicks}`)),
    killShell: (shellPid) => kill('shell', shellPid, []),
    killAllBut: (spare) => kill('all', 0, spare.map(String)),
  };
}
