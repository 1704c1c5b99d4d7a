// @needs docker
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureText, capturedBytes } from '../../src/core/capture.js';
import type { RuntimeSandbox } from '../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testRunId } from '../helpers/docker.js';

describe('RuntimeSandbox on Docker: shell session', () => {
  const runId = testRunId();
  let sandbox: RuntimeSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ action_timeout_s: 30, pids: 128, max_output_bytes: 64 * 1024 }, runId);
  });
  afterAll(async () => {
    await sandbox?.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it('keeps the working directory, exports and functions between actions', async () => {
    await sandbox.exec('cd /tmp && export GREETING=hi && greet() { echo "$GREETING $1"; }');
    const { observation, state } = await sandbox.exec('pwd; greet there');
    expect(captureText(observation.stdout)).toBe('/tmp\nhi there\n');
    expect(state?.cwd).toBe('/tmp');
    await sandbox.exec('cd /work');
  });

  it('keeps stderr apart from stdout and reports the exit code', async () => {
    const { observation } = await sandbox.exec('echo out; echo err >&2; false');
    expect(captureText(observation.stdout)).toBe('out\n');
    expect(captureText(observation.stderr)).toBe('err\n');
    expect(observation.exit_code).toBe(1);
    expect(observation.timed_out).toBe(false);
  });

  it('cannot be fooled by output that looks like a sentinel', async () => {
    const { observation } = await sandbox.exec(`printf '\\036deadbeefO0\\0/x\\0'; printf '\\036'; echo done`);
    expect(observation.exit_code).toBe(0);
    expect(captureText(observation.stdout)).toContain('done');
  });

  it('interrupts a command that overruns its timeout, keeps its partial output, and the session survives', async () => {
    await sandbox.exec('export KEPT=yes');
    const { observation } = await sandbox.exec('echo started; sleep 600', { timeoutMs: 2_000 });
    expect(observation.timed_out).toBe(true);
    expect(observation.signal).toBe('SIGKILL');
    expect(captureText(observation.stdout)).toBe('started\n');
    expect(observation.duration_ms).toBeLessThan(10_000);
    const after = await sandbox.exec('echo $KEPT');
    expect(captureText(after.observation.stdout)).toBe('yes\n');
    expect(after.observation.session_restarted).toBe(false);
  });

  it('restarts the session when a busy loop in the shell itself overruns, and says so', async () => {
    await sandbox.exec('cd /tmp');
    const { observation } = await sandbox.exec('while :; do :; done', { timeoutMs: 1_000 });
    expect(observation.timed_out).toBe(true);
    expect(observation.session_restarted).toBe(true);
    const after = await sandbox.exec('pwd');
    expect(captureText(after.observation.stdout)).toBe('/tmp\n');
    await sandbox.exec('cd /work');
  });

  it('caps huge output to head and tail with bounded memory, hashing all of it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const { observation } = await sandbox.exec('yes | head -c 200M', { timeoutMs: 60_000 });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(observation.exit_code).toBe(0);
    expect(observation.stdout.bytes).toBe(200 * 1024 * 1024);
    expect(observation.stdout.omitted_bytes).toBe(200 * 1024 * 1024 - 64 * 1024);
    expect(observation.stdout.text.length + (observation.stdout.tail?.length ?? 0)).toBe(64 * 1024);
    expect(observation.stdout.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });

  it('keeps invalid UTF-8 output byte for byte', async () => {
    const { observation } = await sandbox.exec(`printf 'ok\\xff\\xfe\\x00end'`);
    expect(observation.stdout.encoding).toBe('base64');
    const { head } = capturedBytes(observation.stdout);
    expect([...head]).toEqual([0x6f, 0x6b, 0xff, 0xfe, 0x00, 0x65, 0x6e, 0x64]);
  });

  it('records which files a step added, modified and deleted', async () => {
    await sandbox.exec('mkdir -p /work/s && echo a > /work/s/a && echo b > /work/s/b');
    const { state } = await sandbox.exec('echo changed >> /work/s/a && rm /work/s/b && touch /work/s/c');
    expect(state?.changes).toEqual([
      { path: '/work/s/a', change: 'modified', size: 10 },
      { path: '/work/s/b', change: 'deleted' },
      { path: '/work/s/c', change: 'added', size: 0 },
    ]);
  });

  it('reads and writes files with arbitrary bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 39, 34]);
    await sandbox.writeFile("/work/dir with space/it's.bin", bytes);
    expect(await sandbox.readFile("/work/dir with space/it's.bin")).toEqual(bytes);
    expect(await sandbox.readFile('/work/missing')).toBeNull();
  });
});

describe('RuntimeSandbox on Docker: limits', () => {
  it('clears a fork bomb at the pids limit while the step runs, says so, and still answers', async () => {
    const runId = testRunId();
    const sandbox = await startTestSandbox({ pids: 64 }, runId);
    try {
      const { observation } = await sandbox.exec('bomb() { bomb | bomb & }; bomb; sleep 600', { timeoutMs: 8_000 });
      // The bomb ran into the limit and was cleared by the watcher, well before the timeout.
      expect(captureText(observation.stderr)).toMatch(/Resource temporarily unavailable/);
      expect(observation.pids_cleared).toBeGreaterThan(0);
      expect(observation.duration_ms).toBeLessThan(20_000);
      const after = await sandbox.exec('echo still here', { timeoutMs: 15_000 });
      expect(captureText(after.observation.stdout)).toContain('still here');
    } finally {
      await sandbox.stop();
    }
    expect(await containersOf(runId)).toEqual([]);
  });

  it('has no network by default', async () => {
    const sandbox = await startTestSandbox();
    try {
      const { observation } = await sandbox.exec('cat /sys/class/net/*/operstate | tr "\\n" " "; ls /sys/class/net');
      expect(captureText(observation.stdout).trim().split(/\s+/)).toContain('lo');
      expect(captureText(observation.stdout)).not.toContain('eth0');
    } finally {
      await sandbox.stop();
    }
  });
});
