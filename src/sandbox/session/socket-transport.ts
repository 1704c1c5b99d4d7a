import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, posix } from 'node:path';
import type { SandboxProcess, SessionSocketDir } from '../backend.js';
import { ShellStartError } from './shell-session.js';
import type { SessionStreams } from './transport.js';

/** The step streams, each one connection from the helper that names it. */
const KINDS = ['in', 'out', 'err'] as const;
type Kind = (typeof KINDS)[number];
/** Longest announcement (`KIND TOKEN\n`); anything longer is not the helper. */
const ANNOUNCE_CAP = 64;
/** What is kept of a stream that arrives before the session listens: the hello and a start error fit. */
const EARLY_CAP = 64 * 1024;
/** What is kept of the helper's own output on the engine's stream (its errors before it connects). */
const START_OUTPUT_CAP = 4096;

/** The socket's name in the directory, short: a Unix socket path is at most 107 bytes. */
const SOCKET_NAME = 's';
/** The longest path `bind` takes for a Unix socket (sun_path's 108 bytes, NUL included). */
const SOCKET_PATH_MAX = 107;

/**
 * A session's three streams over a Unix socket on this host instead of the engine's attach
 * (docs/sandbox.md, "Dispatch"). The harvester listens in a private directory the backend
 * bound into the sandbox; the helper, started by the engine as before, connects three
 * times (`in`, `out`, `err`, each announcing itself with a one-off token) and moves the
 * connections onto its fds 0-2, where the protocol expects them.
 *
 * Who may connect: this runs for a sandbox's first session only, before any agent code has
 * run (nothing but forager's own processes exists in it), and accepts exactly three
 * connections, then closes the listener and removes the socket: nothing can connect
 * afterwards (nor make a socket in its place: the directory is bound read-only).
 * Restarts go through the attach (see open.ts).
 */
export async function openSocketTransport(
  dir: SessionSocketDir,
  spawnHelper: (socketPath: string, token: string) => Promise<SandboxProcess>,
  timeoutMs: number,
): Promise<SessionStreams> {
  const token = randomBytes(16).toString('hex');
  const server = createServer({ allowHalfOpen: false });
  const hostPath = join(dir.hostDir, SOCKET_NAME);
  const cleanUp = () => {
    server.close();
    // Not the directory: the engine binds it again from its host path for each archive
    // call (putFile). It stays, empty and read-only in the sandbox, until the backend
    // removes it with the sandbox.
    rmSync(hostPath, { force: true });
  };
  // A directory too deep for a socket's path (a long $TMPDIR) is reached through a
  // descriptor of it: /proc/self/fd/N/s names the same place in a few bytes.
  const dirFd = Buffer.byteLength(hostPath) > SOCKET_PATH_MAX ? openSync(dir.hostDir, constants.O_RDONLY | constants.O_DIRECTORY) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      // No helper was started: the attach can still carry the session (open.ts).
      reject(new ShellStartError(`could not listen on the session socket ${hostPath}: ${error.message}`, '', true));
    });
    server.listen(dirFd === undefined ? hostPath : `/proc/self/fd/${dirFd}/${SOCKET_NAME}`, () => {
      server.removeAllListeners('error');
      // Accepting failed (out of descriptors): the helper's connection is then missing, which fails the start.
      server.on('error', () => undefined);
      resolve();
    });
  }).finally(() => {
    if (dirFd !== undefined) closeSync(dirFd);
  });
  let helper: SandboxProcess | undefined;
  try {
    helper = await spawnHelper(posix.join(dir.sandboxDir, SOCKET_NAME), token);
    const streams = await acceptStreams(server, helper, token, timeoutMs);
    return socketStreams(streams);
  } finally {
    cleanUp();
    // The engine's stream carried only the helper's start; it let go of it once connected.
    helper?.close();
  }
}

interface Connected {
  socket: Socket;
  /** What came after the announcement in its first chunk. */
  early: Buffer;
}

/**
 * The helper's three connections, each proven by its announcement; the first that is not
 * the helper, or the helper's exit before it connected (its error on the engine's stream),
 * or the time running out, fails the start.
 */
function acceptStreams(server: Server, helper: SandboxProcess, token: string, timeoutMs: number): Promise<Record<Kind, Connected>> {
  return new Promise((resolve, reject) => {
    const got: Partial<Record<Kind, Connected>> = {};
    const pending = new Set<Socket>();
    let output = '';
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const s of pending) s.destroy();
      for (const c of Object.values(got)) c?.socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new ShellStartError('the session helper did not connect within the time allowed', output, false)), timeoutMs);
    helper.onData((_stream, chunk) => {
      if (output.length < START_OUTPUT_CAP) output += chunk.toString('latin1').slice(0, START_OUTPUT_CAP - output.length);
    });
    helper.onEnd(() => {
      // After connecting the helper lets go of the engine's stream: only an end before that is an exit.
      if (!settled && Object.keys(got).length < KINDS.length) {
        // Its last connection may still be on its way: the exit is read after this turn's I/O.
        setImmediate(() => {
          if (!settled && Object.keys(got).length < KINDS.length) fail(new ShellStartError(`the session helper exited before it connected: ${output.slice(0, 500)}`, output, true));
        });
      }
    });
    server.on('connection', (socket) => {
      if (settled || pending.size + Object.keys(got).length >= KINDS.length) {
        socket.destroy();
        return;
      }
      pending.add(socket);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(0x0a);
        if (nl < 0) {
          if (head.length > ANNOUNCE_CAP) fail(new ShellStartError('a connection to the session socket did not announce itself', output, false));
          return;
        }
        socket.off('data', onData);
        socket.pause();
        pending.delete(socket);
        const [kind, proof] = head.subarray(0, nl).toString('latin1').split(' ');
        const known = KINDS.find((k) => k === kind);
        if (known === undefined || got[known] !== undefined || proof !== token) {
          socket.destroy();
          fail(new ShellStartError(`a connection to the session socket did not announce one of the helper's streams (in, out, err) with its token`, output, false));
          return;
        }
        got[known] = { socket, early: head.subarray(nl + 1) };
        if (Object.keys(got).length === KINDS.length) {
          settled = true;
          clearTimeout(timer);
          resolve(got as Record<Kind, Connected>);
        }
      };
      socket.on('data', onData);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (pending.has(socket)) fail(new ShellStartError('a connection to the session socket closed before it announced itself', output, true));
      });
    });
  });
}

/**
 * The transport over the three connections. The session ends when `in` does (only the
 * helper holds it, whereas `out` and `err` live on in whatever the commands left running),
 * or when out or err is shut down from inside.
 */
function socketStreams(streams: Record<Kind, Connected>): SessionStreams {
  const { in: input, out, err } = streams;
  let onData: ((stream: 1 | 2, chunk: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let ended = false;
  let endSeen = false;
  const early: [1 | 2, Buffer][] = [];
  let earlyBytes = 0;
  const deliver = (stream: 1 | 2, chunk: Buffer) => {
    if (onData) {
      onData(stream, chunk);
    } else if (earlyBytes < EARLY_CAP) {
      early.push([stream, chunk]);
      earlyBytes += chunk.length;
    }
  };
  const end = () => {
    if (ended) return;
    ended = true;
    // What the helper wrote before it went is already queued on out and err: epoll reports
    // those with `in`'s end, and this turn's I/O reads them before the next is processed.
    setImmediate(() => {
      // Closing `in` also ends a helper still running (it reads end-of-file, bash then too).
      for (const c of [input, out, err]) c.socket.destroy();
      endSeen = true;
      onEnd?.();
    });
  };
  for (const [stream, c] of [[1, out], [2, err]] as const) {
    if (c.early.length) deliver(stream, c.early);
    c.socket.on('data', (chunk: Buffer) => deliver(stream, chunk));
    // While the helper lives it holds out and err, so their end means a command shut the
    // socket down (`shutdown(1, SHUT_WR)` on its stdout): no report can arrive any more,
    // and the session is over rather than a step left waiting for its end.
    c.socket.on('end', end);
    c.socket.on('error', end);
    c.socket.resume();
  }
  // The helper writes nothing on `in` after its announcement: read only to see its end.
  input.socket.on('data', () => undefined);
  input.socket.on('end', end);
  input.socket.on('close', end);
  input.socket.on('error', end);
  input.socket.resume();
  return {
    kind: 'socket',
    write: (data) => {
      if (!ended) input.socket.write(data);
    },
    onData: (listener) => {
      onData = listener;
      for (const [stream, chunk] of early.splice(0)) listener(stream, chunk);
    },
    onEnd: (listener) => {
      onEnd = listener;
      if (endSeen) listener();
    },
    close: () => {
      ended = true;
      for (const c of [input, out, err]) c.socket.destroy();
    },
  };
}
