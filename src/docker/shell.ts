import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { SessionTransport } from '../sandbox/session/transport.js';
import { ShellSession } from '../sandbox/session/shell-session.js';
import { FrameDemuxer } from './frames.js';
import { killAllButInit, killTree } from './one-shot.js';

/**
 * A bash session's transport over a Docker exec attach: stdin written to the hijacked
 * stream, stdout and stderr decoded from Docker's frames, kills through separate execs.
 */
export async function openExecTransport(
  container: Docker.Container,
  options: { env: string[]; cwd: string; deadman: string[] },
): Promise<SessionTransport> {
  const exec = await container.exec({
    Cmd: ['bash', '--noprofile', '--norc'],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Env: options.env,
    WorkingDir: options.cwd,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
  let onData: ((stream: 1 | 2, chunk: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let ended = false;
  const demux = new FrameDemuxer((type, payload) => onData?.(type, payload));
  stream.on('data', (chunk: Buffer) => demux.push(chunk));
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    write: (data) => { stream.write(data); },
    onData: (listener) => { onData = listener; },
    onEnd: (listener) => {
      onEnd = listener;
      if (ended) listener();
    },
    killCommand: (pid, sinceTicks) => killTree(container, pid, sinceTicks),
    killAll: async () => { await killAllButInit(container, options.deadman); },
    exitCode: async () => {
      for (let i = 0; i < 20; i += 1) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return null;
        if (!info.Running) return info.ExitCode ?? null;
        await new Promise((r) => setTimeout(r, 25));
      }
      return null;
    },
    close: () => {
      stream.end();
      stream.destroy();
    },
  };
}

/** The host's clock ticks since boot: the sandbox's too when the engine is local (no time namespace). */
function hostUptimeTicks(): number | undefined {
  try {
    const [whole, frac] = readFileSync('/proc/uptime', 'latin1').split(' ')[0]!.split('.');
    return Number(whole) * 100 + Number((frac ?? '0').padEnd(2, '0').slice(0, 2));
  } catch {
    return undefined;
  }
}

/** Start bash in the container and a session on it; `localKernel`: the engine runs on this host. */
export async function openShell(
  container: Docker.Container,
  options: { env: string[]; cwd: string; deadman: string[]; timeoutMs?: number; localKernel?: boolean },
): Promise<ShellSession> {
  const transport = await openExecTransport(container, options);
  try {
    return await ShellSession.open(transport, { timeoutMs: options.timeoutMs, kernelTicks: options.localKernel ? hostUptimeTicks : undefined });
  } catch (error) {
    transport.close();
    throw error;
  }
}

export { ShellSession };
export type { ShellRunOptions, ShellRunResult } from '../sandbox/session/shell-session.js';
