import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../src/providers/index.js';
import type { ProvidedSandbox } from '../../src/sandbox/index.js';
import { DEFAULT_LIMITS } from '../../src/task/spec.js';
import { tempDir } from '../helpers/tasks.js';
import { unsandboxedProvider } from '../helpers/unsandboxed.js';

const started: ProvidedSandbox[] = [];

async function start(): Promise<{ sandbox: ProvidedSandbox; workdir: string }> {
  const workdir = join(await tempDir('forager-local-work-'), 'work');
  const sandbox = await unsandboxedProvider().start({ image: 'unsandboxed', runId: 'local-test', taskId: 't', workdir, env: { HOME: '/root', LC_ALL: 'C.UTF-8' }, limits: { ...DEFAULT_LIMITS } });
  started.push(sandbox);
  return { sandbox, workdir };
}

afterAll(async () => {
  for (const sandbox of started) await sandbox.stop();
});

describe('the unsandboxed test backend (not a sandbox: the runtime over local processes)', () => {
  it('is refused unless the environment allows it', () => {
    const allowed = process.env.FORAGER_ALLOW_UNSANDBOXED;
    delete process.env.FORAGER_ALLOW_UNSANDBOXED;
    try {
      expect(() => createProvider('unsandboxed')).toThrow(/no isolation: it is for forager's own tests/);
    } finally {
      process.env.FORAGER_ALLOW_UNSANDBOXED = allowed;
    }
  });

  it('runs the persistent session: exit code, stdout and stderr apart, cwd and variables kept', async () => {
    const { sandbox, workdir } = await start();
    const r = await sandbox.exec('export MARK=kept; cd sub 2>/dev/null || { mkdir sub && cd sub; }; echo out; echo err >&2; (exit 3)');
    expect(r.observation).toMatchObject({ exit_code: 3, timed_out: false, session_restarted: false });
    expect([r.observation.stdout.text, r.observation.stderr.text]).toEqual(['out\n', 'err\n']);
    expect(r.state?.cwd).toBe(`${workdir}/sub`);
    const again = await sandbox.exec('echo "$MARK $PWD"');
    expect(again.observation.stdout.text).toBe(`kept ${workdir}/sub\n`);
  });

  it('records the files a step changed under its workdir, by the host watcher', async () => {
    const { sandbox, workdir } = await start();
    await sandbox.exec('printf a > gone.txt && printf b > keep.txt');
    const step = await sandbox.exec('printf changed > keep.txt; rm gone.txt; printf new > new.txt');
    expect(step.state?.probe).toBe('host');
    expect(step.state?.changes).toEqual([
      { path: `${workdir}/gone.txt`, change: 'deleted' },
      { path: `${workdir}/keep.txt`, change: 'modified', size: 7 },
      { path: `${workdir}/new.txt`, change: 'added', size: 3 },
    ]);
  });

  it('kills a timed-out command only, and its kills reach no process outside its PID namespace', async () => {
    const { sandbox } = await start();
    const outside = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      await sandbox.exec('sleep 301 &', { trackState: false });
      const slow = await sandbox.exec('sleep 60', { timeoutMs: 1_000, trackState: false });
      expect(slow.observation).toMatchObject({ timed_out: true, session_restarted: false });
      expect(await sandbox.killProcesses()).toBeGreaterThanOrEqual(1);
      expect(outside.exitCode).toBeNull();
      expect(() => process.kill(outside.pid!, 0)).not.toThrow();
      const after = await sandbox.exec('echo alive', { trackState: false });
      expect(after.observation.stdout.text).toBe('alive\n');
    } finally {
      outside.kill('SIGKILL');
    }
  });

  it('writes and reads files byte-exact, and refuses writes outside its workdir', async () => {
    const { sandbox, workdir } = await start();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await sandbox.writeFile(`${workdir}/b.bin`, bytes);
    expect((await sandbox.readFile(`${workdir}/b.bin`))?.equals(bytes)).toBe(true);
    await expect(sandbox.writeFile('/etc/forager-must-not-exist', 'x')).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(existsSync('/etc/forager-must-not-exist')).toBe(false);
  });

  it('stop ends every process of the namespace and removes the workdir', async () => {
    const { sandbox, workdir } = await start();
    await sandbox.exec('sleep 302 & echo $! > pid', { trackState: false });
    await sandbox.stop();
    expect(existsSync(workdir)).toBe(false);
    await expect(sandbox.exec('true')).rejects.toMatchObject({ kind: 'infrastructure' });
  });
});
