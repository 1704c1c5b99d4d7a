/**
 * What a bash session needs from wherever the shell runs: a Docker exec attach, a
 * Kubernetes pod exec, a remote sandbox service. The session protocol (shell-session.ts)
 * is written against this and nothing else.
 */
export interface SessionTransport {
  /** Bytes to the shell's stdin. */
  write(data: string | Buffer): void;
  /** Each chunk of the shell's stdout (1) or stderr (2), in order; one listener. */
  onData(listener: (stream: 1 | 2, chunk: Buffer) => void): void;
  /** Called once when the shell's streams end (it exited, or was killed). */
  onEnd(listener: () => void): void;
  /**
   * SIGKILL the process trees of the shell's children started at or after `sinceTicks`
   * (the kernel's clock ticks since boot, as /proc/PID/stat counts them): one command's
   * processes, not the background jobs of earlier ones.
   */
  killCommand(shellPid: number, sinceTicks: number): Promise<void>;
  /** SIGKILL every process of the sandbox but its own (init, dead-man): the shell too. */
  killAll(): Promise<void>;
  /** The shell's exit code once it has ended, or null. */
  exitCode(): Promise<number | null>;
  close(): void;
}
