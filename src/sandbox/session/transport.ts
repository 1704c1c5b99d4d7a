import type { KillReport } from '../process/kill.js';
import type { SessionChild } from './protocol.js';

/**
 * What a bash session needs from wherever the shell runs: a Docker exec attach, a
 * Kubernetes pod exec, a remote sandbox service. The session protocol (shell-session.ts)
 * is written against this and nothing else. The far end is the session helper, whose
 * stdout and stderr are the step's streams.
 */
export interface SessionTransport extends SessionStreams {
  /** SIGKILL the trees of the shell's children not in `spare`: one command's processes, confirmed gone. */
  killCommand(shellPid: number, spare: SessionChild[]): Promise<KillReport>;
  /** SIGKILL the shell and everything under it, confirmed gone: the session ends. */
  killShell(shellPid: number): Promise<KillReport>;
}

/** How the step streams reach the helper: the engine's attach, or a Unix socket on this host (socket-transport.ts). */
export type StreamsKind = 'attach' | 'socket';

/** The helper's three streams, however they travel. */
export interface SessionStreams {
  readonly kind: StreamsKind;
  /** Bytes to the shell's stdin. */
  write(data: string | Buffer): void;
  /** Each chunk of the helper's stdout (1) or stderr (2), in order; one listener. */
  onData(listener: (stream: 1 | 2, chunk: Buffer) => void): void;
  /** Called once when the helper's streams end (it exited, or was killed). */
  onEnd(listener: () => void): void;
  close(): void;
}
