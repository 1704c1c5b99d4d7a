// @needs docker runsc
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { listGvisorProcesses, reapGvisorOrphans } from '../../../src/docker/isolation/gvisor-leftovers.js';
import type { RuntimeSandbox } from '../../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testRunId } from '../../helpers/docker.js';
import { requireRunsc } from '../../helpers/runtime.js';

const out = (r: { observation: { stdout: { text: string } } | null }): string => r.observation?.stdout.text ?? '';

/** The sandbox's processes (state, parent, name), read by bash builtins in an exec of their own: it needs no fork. */
async function listProcesses(box: RuntimeSandbox): Promise<string> {
  const proc = await box.box.spawn(['/bin/bash', '--noprofile', '--norc', '-c', 'for s in /proc/[0-9]*/stat; do read -r l < "$s" && echo "${l:0:48}"; done 2>/dev/null']);
  let text = '';
  proc.onData((_, chunk) => { text += chunk.toString('latin1'); });
  await new Promise<void>((resolve) => proc.onEnd(() => resolve()));
  return text;
}

describe('a sandbox under runsc (gVisor)', () => {
  const runId = testRunId();
  let box: RuntimeSandbox;

  beforeAll(async () => {
    await requireRunsc();
    box = await startTestSandbox({ runtime: 'runsc', pids: 64 }, runId);
  });
  afterAll(async () => {
    await box?.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it('runs under gVisor, says so, and is not treated as sharing the host\'s kernel', async () => {
    expect(box.box.localKernel).toBe(false);
    expect(box.isolation).toMatchObject({ runtime: 'runsc', kernel: 'gvisor' });
    const r = await box.exec('dmesg 2>/dev/null | head -1; cat /proc/version');
    expect(out(r)).toMatch(/gVisor|Starting gVisor/);
  });

  it('records changes in the workdir from the host and in /tmp (gVisor\'s own tmpfs) by a listing', async () => {
    expect(box.stateReader).toBe('host+exec');
    const r = await box.exec('echo hi > /work/a.txt && echo there > /tmp/b.txt');
    expect(r.state?.probe).toBe('host+exec');
    const paths = [...(r.state?.changes ?? []), ...(r.state?.outside ?? [])].map((c) => `${c.change} ${c.path}`);
    expect(paths).toEqual(expect.arrayContaining(['added /work/a.txt', 'added /tmp/b.txt']));
  });

  it('writes and reads files byte-exact through the file tools', async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13, 0xe2, 0x82]);
    await box.writeFile('/work/bytes.bin', data);
    expect(await box.readFile('/work/bytes.bin')).toEqual(data);
    expect(await box.readFile('/work/missing.bin')).toBeNull();
  });

  it('writes files gVisor sees: in its own /tmp, and over a file it has already read', async () => {
    // Through the archive endpoint the first is never seen and the second keeps its old bytes.
    await box.writeFile('/tmp/put/new.txt', 'in tmpfs\n');
    const tmp = await box.exec("cat /tmp/put/new.txt; find /tmp/put/new.txt -printf '%m\\n'", { trackState: false });
    expect(out(tmp)).toBe('in tmpfs\n644\n');
    await box.exec('echo old > /work/seen.txt; cat /work/seen.txt', { trackState: false });
    await box.writeFile('/work/seen.txt', 'new\n');
    expect(out(await box.exec('cat /work/seen.txt; ls -A /work | grep -c forager-put', { trackState: false }))).toBe('new\n0\n');
    await expect(box.writeFile('/work', 'a folder is no file')).rejects.toMatchObject({ code: 'WRITE_FAILED' });
  });

  it('kills a command that overruns its timeout, and only it: an earlier background job survives', async () => {
    await box.exec('sleep 1000 & echo $! > /tmp/bg.pid', { trackState: false });
    const r = await box.exec('sleep 60', { timeoutMs: 1_500, trackState: false });
    expect(r.observation.timed_out).toBe(true);
    expect(r.observation.session_restarted).toBe(false);
    const alive = await box.exec('kill -0 "$(cat /tmp/bg.pid)" && echo alive', { trackState: false });
    expect(out(alive)).toBe('alive\n');
  });

  it('holds a fork bomb to the agent\'s process limit (gVisor\'s RLIMIT_NPROC), clears it, and the sandbox lives on', async () => {
    const r = await box.exec('bomb() { bomb | bomb & }; bomb; sleep 3; echo launched', { timeoutMs: 20_000, trackState: false });
    const next = await box.exec('echo next', { timeoutMs: 60_000, trackState: false });
    expect((r.observation.pids_cleared ?? 0) + (next.observation.pids_cleared ?? 0)).toBeGreaterThan(0);
    expect(out(next)).toBe('next\n');
    expect(box.box.agentProcessLimit).toBe(48);
    const count = await box.box.pids();
    // Should the bomb hold the sandbox still, the message says what each step cleared and what is left.
    const held = count.current === undefined || count.current >= 16;
    const why = held ? `cleared ${r.observation.pids_cleared ?? 0} then ${next.observation.pids_cleared ?? 0}; left:\n${await listProcesses(box)}` : '';
    expect(count.current, why).toBeLessThan(16);
  });

  it('counts its processes through the tool process (no process start per look), as the backend\'s own count does', async () => {
    expect(box.box.pidsCountedInside).toBe(true);
    await box.exec('for i in 1 2 3 4 5; do sleep 300 & done', { trackState: false });
    const facts = (box as unknown as { pidFacts(): Promise<{ current: number | undefined }> }).pidFacts.bind(box);
    const [byTools, byBackend] = [(await facts()).current, (await box.box.pids()).current];
    // The backend's count starts a counter it leaves out; the tool process counts itself in both.
    expect(byTools).toBe(byBackend);
    expect(byTools).toBeGreaterThanOrEqual(5 + 4); // the sleeps, the session's helper and bash, the tool process, the dead-man
    await box.exec('kill $(jobs -p)', { trackState: false });
  });

  it('finds its gVisor sandbox and gofer processes on the host by its id', async () => {
    const mine = (await listGvisorProcesses()).filter((p) => p.containerId === box.id).map((p) => p.program);
    expect(mine).toEqual(expect.arrayContaining(['runsc-sandbox', 'runsc-gofer']));
  });

  it('counts as leftovers only the processes whose bundle names this engine\'s data root: another engine\'s sandboxes are never touched', async () => {
    const root = ((await new Docker().info()) as { DockerRootDir: string }).DockerRootDir;
    // A dry run with nothing known: this sandbox's processes look orphaned to their own engine…
    const own = await reapGvisorOrphans(new Set(), root, true);
    expect(own.orphans.filter((p) => p.containerId === box.id).map((p) => p.program)).toEqual(expect.arrayContaining(['runsc-sandbox', 'runsc-gofer']));
    // …and to an engine with another data root (a private daemon, a remote one's view) they are not its own.
    const other = await reapGvisorOrphans(new Set(), '/var/lib/another-engine', true);
    expect(other.orphans.filter((p) => p.containerId === box.id)).toEqual([]);
    expect(other.unattributed.filter((p) => p.containerId === box.id)).toEqual([]);
    // Nothing was ended: the sandbox still runs its commands.
    expect(out(await box.exec('echo alive', { trackState: false }))).toBe('alive\n');
  });
});
