import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProvidedSandbox, SandboxProvider, SandboxSpec } from '../../src/sandbox/index.js';
import { ForagerError } from '../../src/core/errors.js';
import { PINNED_ENV } from '../../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import type { FileChange } from '../../src/trajectory/schema.js';
import { testRunId } from '../helpers/docker.js';

const run = promisify(execFile);
const ORPHAN = fileURLToPath(new URL('../helpers/orphan-sandbox.ts', import.meta.url));

export interface ProviderSetup {
  /** Which set-up this is, in test names. */
  name: string;
  /** The provider under test, made fresh. */
  create(): SandboxProvider;
  /** The same kind of provider pointed at a backend that does not answer. */
  createDown(): SandboxProvider;
  /** An image the backend has. */
  image: string;
  /** How per-step state must be read on this set-up (`host`: overlay directory; `exec`: the fallback). */
  stateReader: 'host' | 'exec';
  /** How the first session's streams must travel (`socket`: the engine shares this host's file system), when the set-up says. */
  sessionTransport?: 'socket' | 'attach';
  /** Environment under which `createProvider()` (the registry) reaches this backend: for a child process. */
  env: NodeJS.ProcessEnv;
}

/** Every byte value, twice, with a CR LF and a NUL in the middle: what must survive a round trip. */
const BYTES = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n\0'), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))]);

/** The file changes a step is expected to record: inside and outside the workdir, the same on every set-up. */
const INSIDE: FileChange[] = [
  { path: '/work/gone.txt', change: 'deleted' },
  { path: '/work/keep.txt', change: 'modified' },
  { path: '/work/new.txt', change: 'added' },
];
const OUTSIDE: FileChange[] = [
  { path: '/srv/gone-outside', change: 'deleted' },
  { path: '/srv/outside.txt', change: 'added' },
];

/** An observation's stdout or stderr as text. */
function text(stream: { text: string }): string {
  return stream.text;
}

function pathsAndKinds(changes: FileChange[] | undefined): FileChange[] {
  return (changes ?? []).map(({ path, change }) => ({ path, change }));
}

/**
 * The SandboxProvider contract, written once: every provider (and every way of reaching
 * one) must pass it unchanged. It speaks only the contract; the set-up says what to expect.
 */
export function providerContract(setup: ProviderSetup): void {
  describe(`SandboxProvider contract: ${setup.name}`, () => {
    const runId = testRunId();
    const started: ProvidedSandbox[] = [];
    let provider: SandboxProvider;

    async function start(overrides: Partial<SandboxSpec> = {}): Promise<ProvidedSandbox> {
      provider ??= setup.create();
      const sandbox = await provider.start({
        image: setup.image, runId, taskId: 'contract', workdir: '/work', env: { ...PINNED_ENV },
        limits: { ...DEFAULT_LIMITS, memory_mb: 300, pids: 77, network: 'none' },
        ...overrides,
      });
      started.push(sandbox);
      return sandbox;
    }

    afterAll(async () => {
      for (const sandbox of started) await sandbox.stop().catch(() => undefined);
    });

    it('answers its health check and names its version', async () => {
      provider ??= setup.create();
      expect(await provider.ping()).toBe(true);
      await provider.health();
      expect(await provider.version()).toMatch(/\d+\.\d+/);
      expect(await provider.findImage(setup.image)).toMatchObject({ id: expect.stringMatching(/^sha256:/) });
      expect(await provider.findImage('forager-contract/never-built:none')).toBeNull();
    });

    it('starts a sandbox with its limits, no network and the forager.run label', async () => {
      const sandbox = await start();
      // cgroup v2, else v1.
      const r = await sandbox.exec('{ cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max || cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes; } 2>/dev/null; ls /sys/class/net', { trackState: false });
      expect(text(r.observation.stdout)).toBe(`77\n${300 * 1024 * 1024}\nlo\n`);
      const listed = await provider.reap({ runId, dryRun: true });
      expect(listed.find((s) => s.id === sandbox.id)).toMatchObject({ runId, taskId: 'contract', orphan: false, removed: false });
    });

    it('runs a command in the session: exit code, working directory, stdout and stderr apart', async () => {
      const sandbox = await start();
      const r = await sandbox.exec('cd /tmp && echo out && echo err >&2 && sh -c "exit 3"');
      expect(r.observation).toMatchObject({ exit_code: 3, timed_out: false });
      expect([text(r.observation.stdout), text(r.observation.stderr)]).toEqual(['out\n', 'err\n']);
      expect(r.state?.cwd).toBe('/tmp');
      expect(r.state?.probe).toBe(setup.stateReader);
      if (setup.sessionTransport) expect(sandbox.sessionTransport).toBe(setup.sessionTransport);
      const again = await sandbox.exec('pwd');
      expect(text(again.observation.stdout)).toBe('/tmp\n');
    });

    it('an isolated command (harness work) runs at the workdir in a shell of its own, out of the agent\'s reach', async () => {
      const sandbox = await start();
      await sandbox.exec('cd /srv; git() { echo hijacked; }; alias ls=false; export AGENT_MARK=1', { trackState: false });
      const r = await sandbox.exec('pwd; type git >/dev/null 2>&1 && git 2>/dev/null | head -1; echo "mark=${AGENT_MARK:-none}"; exit 4', { isolated: true, timeoutMs: 30_000 });
      expect(r.state).toBeNull();
      expect(r.observation).toMatchObject({ exit_code: 4, timed_out: false });
      expect(text(r.observation.stdout)).not.toContain('hijacked');
      expect(text(r.observation.stdout)).toMatch(/^\/work\n[\s\S]*mark=none\n$/);
      const slow = await sandbox.exec('sleep 60', { isolated: true, timeoutMs: 1_000 });
      expect(slow.observation).toMatchObject({ timed_out: true, exit_code: null });
      expect(text((await sandbox.exec('pwd', { trackState: false })).observation.stdout)).toBe('/srv\n');
    });

    it('a timed-out command is killed and the session, its variables and directory, are kept', async () => {
      const sandbox = await start();
      await sandbox.exec('export CONTRACT_MARK=kept; cd /srv', { trackState: false });
      const slow = await sandbox.exec('sleep 60', { timeoutMs: 1_500, trackState: false });
      expect(slow.observation).toMatchObject({ timed_out: true, exit_code: null });
      const after = await sandbox.exec('echo "$CONTRACT_MARK $PWD"', { trackState: false });
      expect(after.observation).toMatchObject({ exit_code: 0, session_restarted: false });
      expect(text(after.observation.stdout)).toBe('kept /srv\n');
    });

    it(`records files changed and deleted inside and outside the workdir (${setup.stateReader} reader)`, async () => {
      const sandbox = await start();
      await sandbox.exec('printf a > /work/gone.txt && printf b > /work/keep.txt && printf c > /srv/gone-outside');
      const step = await sandbox.exec('printf changed > /work/keep.txt; rm /work/gone.txt; printf new > /work/new.txt; printf o > /srv/outside.txt; rm /srv/gone-outside');
      expect(step.observation.exit_code).toBe(0);
      expect(step.state?.probe).toBe(setup.stateReader);
      expect(pathsAndKinds(step.state?.changes)).toEqual(INSIDE);
      expect(pathsAndKinds(step.state?.outside)).toEqual(OUTSIDE);
      const quiet = await sandbox.exec('true');
      expect(quiet.state?.changes).toEqual([]);
      expect(quiet.state?.outside ?? []).toEqual([]);
    });

    it('enforces the disk limit on the writable layer and clears a fork bomb at the PID limit', async () => {
      const sandbox = await start({ limits: { ...DEFAULT_LIMITS, memory_mb: 300, pids: 77, network: 'none', disk_mb: 20 } });
      const fill = await sandbox.exec('head -c 60000000 /dev/zero > /work/big; sync; true', { trackState: false });
      expect(fill.observation.disk_limit_reached).toBe(true);
      await sandbox.exec('rm -f /work/big', { trackState: false });
      const bomb = await sandbox.exec('for i in $(seq 150); do sleep 100 & done 2>/dev/null; true', { trackState: false });
      expect(bomb.observation.pids_cleared).toBeGreaterThan(0);
      const after = await sandbox.exec('echo ok', { trackState: false });
      expect(text(after.observation.stdout)).toBe('ok\n');
    });

    it('reads, writes and runs tools byte-exact', async () => {
      const sandbox = await start();
      await sandbox.writeFile('/work/bytes.bin', BYTES);
      expect((await sandbox.readFile('/work/bytes.bin'))?.equals(BYTES)).toBe(true);
      expect(await sandbox.readFile('/work/absent')).toBeNull();
      const tool = await sandbox.runTool('cat -- "$1"; printf "%s" "$2" >&2', ['bytes.bin', 'arg with space'], { maxStdoutBytes: 1 << 20, timeoutMs: 30_000 });
      expect(tool).toMatchObject({ exitCode: 0, stdoutOverflow: false, timedOut: false });
      expect(tool.stdout.equals(BYTES)).toBe(true);
      expect(tool.stderr.toString()).toBe('arg with space');
      const fed = await sandbox.runTool('cat > /work/fed.bin', [], { stdin: BYTES, maxStdoutBytes: 1024, timeoutMs: 30_000 });
      expect(fed.exitCode).toBe(0);
      expect((await sandbox.readFile('/work/fed.bin'))?.equals(BYTES)).toBe(true);
    });

    it('kills every process on request (harness clean-up) and the next command gets a new session', async () => {
      const sandbox = await start();
      await sandbox.exec('sleep 300 & sleep 301 &', { trackState: false });
      expect(await sandbox.killProcesses()).toBeGreaterThanOrEqual(2);
      const count = 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null; echo; done | grep -c "^sleep 30[01]"; true';
      // At once: the killed session is not raced (it used to answer empty, or throw, while its end was unseen).
      const after = await sandbox.exec(count, { trackState: false });
      expect(text(after.observation.stdout)).toBe('0\n');
    });

    it('stop removes the sandbox, and twice is harmless', async () => {
      const sandbox = await start();
      await sandbox.stop();
      await sandbox.stop();
      const listed = await provider.reap({ runId, dryRun: true });
      expect(listed.map((s) => s.id)).not.toContain(sandbox.id);
      await expect(sandbox.exec('true')).rejects.toMatchObject({ kind: 'infrastructure' });
    });

    it('reap removes a sandbox whose owner is gone, never one of a live owner', async () => {
      const live = await start();
      const orphanRun = testRunId();
      const { stdout } = await run(process.execPath, ['--import', 'tsx', ORPHAN, setup.image, orphanRun], { env: { ...process.env, ...setup.env }, timeout: 120_000 });
      const orphan = stdout.trim();
      expect(orphan).toMatch(/^[0-9a-f]{12,}$/);
      const before = await provider.reap({ runId: orphanRun, dryRun: true });
      expect(before).toEqual([expect.objectContaining({ id: orphan, orphan: true, removed: false })]);
      const reaped = await provider.reap({ runId: orphanRun });
      expect(reaped).toEqual([expect.objectContaining({ id: orphan, orphan: true, removed: true })]);
      expect(await provider.reap({ runId: orphanRun, dryRun: true })).toEqual([]);
      const mine = await provider.reap({ runId });
      expect(mine.find((s) => s.id === live.id)).toMatchObject({ orphan: false, removed: false });
      expect(text((await live.exec('echo alive', { trackState: false })).observation.stdout)).toBe('alive\n');
    });

    it('health reports a backend that does not answer as an infrastructure error', async () => {
      const down = setup.createDown();
      expect(await down.ping(1_000)).toBe(false);
      const error = await down.health().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ForagerError);
      expect(error).toMatchObject({ kind: 'infrastructure', code: 'ENGINE_UNREACHABLE' });
    });
  });
}
