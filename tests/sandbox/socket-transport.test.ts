import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SandboxProcess } from '../../src/sandbox/index.js';
import { ShellStartError } from '../../src/sandbox/session/index.js';
import { openSocketTransport } from '../../src/sandbox/session/socket-transport.js';

/** The engine's stream of a helper started elsewhere: what it printed, and its end. */
function engineStream(): SandboxProcess & { print(text: string): void; exit(): void } {
  let data: ((stream: 1 | 2, chunk: Buffer) => void) | undefined;
  let end: (() => void) | undefined;
  return {
    write: () => undefined,
    end: () => undefined,
    onData: (listener) => { data = listener; },
    onEnd: (listener) => { end = listener; },
    exitCode: async () => null,
    close: () => undefined,
    print: (text) => data?.(2, Buffer.from(text)),
    exit: () => end?.(),
  };
}

/** One connection to the socket, announced as `line`. */
async function dial(path: string, line: string): Promise<Socket> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(line);
  return socket;
}

async function socketDir() {
  const dir = await mkdtemp(join(tmpdir(), 'forager-socket-test-'));
  return { hostDir: dir, sandboxDir: dir };
}

describe('openSocketTransport', () => {
  it('takes the helper\'s three announced streams, then removes the socket; the session ends with `in`, after what out carried', async () => {
    const dir = await socketDir();
    const sockets: Partial<Record<string, Socket>> = {};
    const streams = await openSocketTransport(dir, async (path, token) => {
      void (async () => {
        for (const kind of ['in', 'out', 'err']) sockets[kind] = await dial(path, `${kind} ${token}\n${kind === 'out' ? 'hello' : ''}`);
      })();
      return engineStream();
    }, 10_000);
    expect(streams.kind).toBe('socket');
    expect(existsSync(join(dir.hostDir, 's'))).toBe(false);
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => streams.onEnd(() => { seen.push('end'); resolve(); }));
    streams.onData((stream, chunk) => seen.push(`${stream}:${chunk.toString()}`));
    const received = new Promise<string>((resolve) => sockets.in!.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    streams.write('step\n');
    expect(await received).toBe('step\n');
    sockets.out!.write('last');
    sockets.err!.write('err');
    // At once: what out and err hold when `in` ends is delivered before the end.
    sockets.in!.end();
    await ended;
    expect(seen).toEqual(['1:hello', '1:last', '2:err', 'end']);
  });

  it('fails the start when a connection does not carry the helper\'s token', async () => {
    const dir = await socketDir();
    const start = openSocketTransport(dir, async (path) => {
      void dial(path, 'in 00000000000000000000000000000000\n');
      return engineStream();
    }, 10_000);
    await expect(start).rejects.toThrow(/did not announce one of the helper's streams/);
  });

  it('fails the start with what the helper printed when it exits before connecting', async () => {
    const dir = await socketDir();
    const helper = engineStream();
    const start = openSocketTransport(dir, async () => {
      setTimeout(() => {
        helper.print('forager helper: connect /dev/forager-session/s: Permission denied\n');
        helper.exit();
      }, 10);
      return helper;
    }, 10_000);
    const error = await start.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ShellStartError);
    expect(error).toMatchObject({ ended: true, output: expect.stringContaining('Permission denied') });
    expect(existsSync(join(dir.hostDir, 's'))).toBe(false);
  });
});
