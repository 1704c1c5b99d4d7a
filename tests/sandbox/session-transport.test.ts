// @needs docker
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureText } from '../../src/core/capture.js';
import { engine, SESSION_SOCKET_TARGET } from '../../src/docker/index.js';
import type { RuntimeSandbox } from '../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testProvider, testRunId } from '../helpers/docker.js';
import { BASE_IMAGE } from '../helpers/images.js';

const ORPHAN = fileURLToPath(new URL('../helpers/orphan-sandbox.ts', import.meta.url));

/** The host directory bound at the session socket's place in the container. */
async function socketSource(id: string): Promise<string | undefined> {
  const info = await engine().getContainer(id).inspect();
  return info.Mounts.find((m) => m.Destination === SESSION_SOCKET_TARGET)?.Source;
}

describe('RuntimeSandbox on a local Docker engine: the session over a Unix socket', () => {
  const runId = testRunId();
  let sandbox: RuntimeSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ action_timeout_s: 30 }, runId);
  });
  afterAll(async () => {
    await sandbox?.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it('carries the first session over the socket, not the engine\'s attach', async () => {
    expect(sandbox.sessionTransport).toBe('socket');
    const r = await sandbox.exec('echo out; echo err >&2; printf "%s" "$(head -c 300000 /dev/zero | tr "\\0" x)" >&2; exit_code=7; (exit $exit_code)');
    expect(captureText(r.observation.stdout)).toBe('out\n');
    expect(r.observation.stderr.bytes).toBe(4 + 300_000);
    expect(r.observation.exit_code).toBe(7);
  });

  it('leaves nothing to connect to once the session is open, and nothing can be put in its place', async () => {
    const source = await socketSource(sandbox.id);
    expect(readdirSync(source!)).toEqual([]);
    const r = await sandbox.exec([
      `ls -A ${SESSION_SOCKET_TARGET} | wc -l`,
      // A connection to where the socket was, and a socket of the agent's own there, for a helper to come.
      `perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die; connect($s, pack_sockaddr_un("${SESSION_SOCKET_TARGET}/s")) ? print "connected\\n" : print "connect: $!\\n"'`,
      `perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_un("${SESSION_SOCKET_TARGET}/s")) ? print "bound\\n" : print "bind: $!\\n"'`,
      `touch ${SESSION_SOCKET_TARGET}/x 2>/dev/null || echo read-only`,
    ].join('; '), { trackState: false });
    expect(captureText(r.observation.stdout)).toBe('0\nconnect: No such file or directory\nbind: Read-only file system\nread-only\n');
  });

  it('keeps the step lines out of reach of the command\'s stdout, stderr and the helper\'s descriptors', async () => {
    // Readers left running on the command's own streams, and on the helper's input.
    const setup = await sandbox.exec([
      '(cat <&1 > /tmp/leak-out 2>&1; echo "end $?" >> /tmp/leak-out) &',
      '(cat <&2 > /tmp/leak-err 2>&1; echo "end $?" >> /tmp/leak-err) &',
      '(timeout 5 cat /proc/$PPID/fd/0 > /tmp/leak-in 2>&1; echo "end $?" >> /tmp/leak-in) &',
      'sleep 1',
    ].join('\n'), { trackState: false });
    expect(setup.observation.exit_code).toBe(0);
    const token = `step-line-${Math.random().toString(36).slice(2)}`;
    await sandbox.exec(`: ${token}`, { trackState: false });
    await sandbox.exec('sleep 5.5', { trackState: false });
    const r = await sandbox.exec('cat /tmp/leak-out /tmp/leak-err /tmp/leak-in', { trackState: false });
    const seen = captureText(r.observation.stdout);
    expect(seen).not.toContain(token);
    // The streams read end-of-file at once; the helper's input cannot be opened at all.
    expect(seen).toMatch(/^end 0\nend 0\ncat: \/proc\/\d+\/fd\/0: No such device or address\nend 1\n$/);
  });

  it('sees the session end when the agent kills its helper while a background job holds the streams, and restarts it', async () => {
    await sandbox.exec('cd /tmp; sleep 300 &', { trackState: false });
    const killed = await sandbox.exec('kill -9 $PPID; sleep 30', { timeoutMs: 20_000, trackState: false });
    expect(killed.observation.timed_out).toBe(false);
    expect(killed.observation.session_restarted).toBe(true);
    const after = await sandbox.exec('pwd; echo ok', { trackState: false });
    expect(captureText(after.observation.stdout)).toBe('/tmp\nok\n');
    expect(after.observation.session_restarted).toBe(false);
    // A restart happens with agent processes about: it goes through the engine (see open.ts).
    expect(sandbox.sessionTransport).toBe('attach');
    await sandbox.exec('cd /work', { trackState: false });
  });
});

describe('RuntimeSandbox on a local Docker engine: a command that shuts down the session\'s socket', () => {
  for (const fd of ['STDOUT', 'STDERR']) {
    it(`ends the session (${fd}), rather than wait for a report that cannot come, and starts another`, async () => {
      const sandbox = await startTestSandbox({ action_timeout_s: 30 });
      try {
        expect(sandbox.sessionTransport).toBe('socket');
        await sandbox.exec('cd /tmp', { trackState: false });
        const shut = await sandbox.exec(`perl -MSocket -e 'shutdown(${fd}, SHUT_WR) or die "shutdown: $!"'; sleep 30`, { timeoutMs: 20_000, trackState: false });
        expect(shut.observation.timed_out).toBe(false);
        expect(shut.observation.session_restarted).toBe(true);
        const after = await sandbox.exec('pwd', { trackState: false });
        expect(captureText(after.observation.stdout)).toBe('/tmp\n');
      } finally {
        await sandbox.stop();
      }
    });
  }
});

describe('RuntimeSandbox on a local Docker engine: the session socket\'s directory', () => {
  it('keeps a session going after `exit` (over the attach), and is gone from the host with the sandbox', async () => {
    const sandbox = await startTestSandbox({ action_timeout_s: 30 });
    const source = await socketSource(sandbox.id);
    try {
      expect(source && existsSync(source)).toBe(true);
      await sandbox.exec('cd /srv', { trackState: false });
      const exited = await sandbox.exec('exit 4', { trackState: false });
      expect(exited.observation.exit_code).toBe(4);
      expect(exited.observation.session_restarted).toBe(true);
      const after = await sandbox.exec('pwd', { trackState: false });
      expect(captureText(after.observation.stdout)).toBe('/srv\n');
      expect(sandbox.sessionTransport).toBe('attach');
    } finally {
      await sandbox.stop();
    }
    expect(existsSync(source!)).toBe(false);
  });

  it('keeps the socket under a $TMPDIR too deep for a socket\'s path (over 107 bytes)', async () => {
    const previous = process.env.TMPDIR;
    const deep = join(previous ?? '/tmp', 'deep-'.padEnd(120, 'x'));
    mkdirSync(deep, { recursive: true });
    let sandbox: RuntimeSandbox | undefined;
    try {
      process.env.TMPDIR = deep;
      sandbox = await startTestSandbox({ action_timeout_s: 30 });
      process.env.TMPDIR = previous;
      const source = await socketSource(sandbox.id);
      expect(Buffer.byteLength(join(source!, 's'))).toBeGreaterThan(107);
      expect(source!.startsWith(deep)).toBe(true);
      expect(sandbox.sessionTransport).toBe('socket');
      const r = await sandbox.exec('echo deep; echo err >&2; (exit 3)', { trackState: false });
      expect([captureText(r.observation.stdout), captureText(r.observation.stderr), r.observation.exit_code]).toEqual(['deep\n', 'err\n', 3]);
      expect(readdirSync(source!)).toEqual([]);
    } finally {
      process.env.TMPDIR = previous;
      await sandbox?.stop();
      rmSync(deep, { recursive: true, force: true });
    }
  });

  it('of a sandbox whose harvester died goes with the sandbox when it is reaped, and is no leftover before', async () => {
    const orphanRun = testRunId();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ORPHAN, BASE_IMAGE, orphanRun], { timeout: 120_000 });
    const orphan = stdout.trim();
    const source = await socketSource(orphan);
    expect(source && readdirSync(source)).toEqual([]);
    // Still bound by its container: reaped with it, never listed on its own.
    const listed = await testProvider().reap({ runId: orphanRun, dryRun: true });
    expect(listed.map((s) => s.id)).toEqual([orphan]);
    const reaped = await testProvider().reap({ runId: orphanRun });
    expect(reaped.map((s) => [s.id, s.removed])).toEqual([[orphan, true]]);
    expect(existsSync(source!)).toBe(false);
  });
});
