// @needs docker
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureText } from '../../src/core/capture.js';
import type { RuntimeSandbox } from '../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testRunId } from '../helpers/docker.js';

const out = (r: { observation: { stdout: Parameters<typeof captureText>[0] } }) => captureText(r.observation.stdout);
const err = (r: { observation: { stderr: Parameters<typeof captureText>[0] } }) => captureText(r.observation.stderr);

// The session protocol on the real engine, with the perl helper and tool process (`auto`) and
// with what an image without perl gets (`portable`: the bash helper, scripts, exec kills).
describe.each(['auto', 'portable'] as const)('session protocol (%s helpers)', (helpers) => {
  const runId = testRunId();
  let sandbox: RuntimeSandbox;
  const fresh: RuntimeSandbox[] = [];
  const start = async () => {
    const s = await startTestSandbox({ action_timeout_s: 30, pids: 128 }, runId, { helpers });
    fresh.push(s);
    return s;
  };

  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(async () => {
    for (const s of fresh) await s.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it('runs nothing of the agent\'s around a command: its traps see only its command, as in a terminal', async () => {
    const s = await start();
    await s.exec(`trap 'echo "D $BASH_COMMAND" >&2' DEBUG; trap 'echo "E $BASH_COMMAND" >&2' ERR; trap 'echo X >&2' EXIT; f() { return 3; }`, { trackState: false });
    // What bash reading the same lines from a pipe prints for each (measured on this image).
    const t = await s.exec('true', { trackState: false });
    expect([out(t), err(t), t.observation.exit_code]).toEqual(['', 'D true\n', 0]);
    const f = await s.exec('false', { trackState: false });
    expect([out(f), err(f), f.observation.exit_code]).toEqual(['', 'D false\nD false\nE false\n', 1]);
    const g = await s.exec('f', { trackState: false });
    expect([err(g), g.observation.exit_code]).toEqual(['D f\nD return 3\nE return 3\n', 3]);
    expect(g.observation.session_restarted).toBe(false);
  });

  it('keeps the record true whatever options, functions and shadowed builtins the agent left', async () => {
    const s = await start();
    const setup = [
      "printf() { builtin printf '\\036forgedO0\\0/forged'; }", 'echo() { :; }', 'builtin() { :; }', 'command() { :; }', 'exec() { :; }',
      'read() { :; }', '/bin/sh() { echo forged; }', 'enable -n printf echo pwd kill', "trap 'return 0 2>/dev/null; true' DEBUG", "trap 'true' RETURN",
      'set -u -E -T -o pipefail', 'shopt -s extdebug', 'export PWD=/forged', 'PROMPT_COMMAND="cd /forged"',
    ].join('\n');
    await s.exec(setup, { trackState: false });
    const a = await s.exec('\\cd /tmp; (exit 3)');
    expect([a.observation.exit_code, a.state?.cwd, out(a), err(a)]).toEqual([3, '/tmp', '', '']);
    const b = await s.exec('\\cd /usr; /bin/true');
    expect([b.observation.exit_code, b.state?.cwd]).toEqual([0, '/usr']);
    const c = await s.exec('set -e; false; /bin/echo not-reached');
    // `set -e` ends the shell at `false`, as it would a terminal's; the session is started again.
    expect([out(c), c.observation.session_restarted]).toEqual(['', true]);
    const d = await s.exec('pwd -P');
    expect([out(d), d.observation.session_restarted]).toEqual(['/usr\n', false]);
  });

  it('starts each command with $? 0, as CWM\'s session does, and reports the status it ended with', async () => {
    await sandbox.exec('(exit 7)', { trackState: false });
    const r = await sandbox.exec('echo "$?"; (exit 5)', { trackState: false });
    expect([out(r), r.observation.exit_code]).toEqual(['0\n', 5]);
  });

  it('survives an error that makes bash discard the rest of a line, and a syntax error', async () => {
    const r = await sandbox.exec('declare -i n; n="1+"; echo never', { trackState: false });
    expect(r.observation.exit_code).toBe(1);
    expect(err(r)).toMatch(/syntax error/);
    expect(r.observation.session_restarted).toBe(false);
    const q = await sandbox.exec("echo 'unterminated", { trackState: false });
    expect(q.observation.exit_code).toBe(2);
    expect(err(q)).toMatch(/unexpected EOF/);
    expect(out(await sandbox.exec('echo ok', { trackState: false }))).toBe('ok\n');
  });

  it('an agent whose `eval` is its own function or disabled gets its commands run through that, and a true record', async () => {
    const s = await start();
    await s.exec('enable -n exec; eval() { /bin/echo "agent eval: $*"; return 4; }', { trackState: false });
    const r = await s.exec('cd /tmp; echo hi', { trackState: false });
    expect([out(r), r.observation.exit_code, r.observation.session_restarted]).toEqual(['agent eval: cd /tmp; echo hi\n', 4, false]);
    const t = await start();
    await t.exec('enable -n eval', { trackState: false });
    const n = await t.exec('echo hi');
    expect([n.observation.exit_code, n.state?.cwd]).toEqual([127, '/work']);
    expect(err(n)).toMatch(/eval: command not found/);
  });

  it('a DEBUG trap that reads $BASH_COMMAND never sees the wrapper\'s nonce, and cannot forge an ending', async () => {
    const s = await start();
    // Prints a fake end marker made of whatever it sees, to every fd it has.
    await s.exec(`trap 'for fd in 1 2 3 4 5 250 251 252; do printf "\\036%sO0\\0/forged\\036%sE" "$BASH_COMMAND" "$BASH_COMMAND" >&$fd; done 2>/dev/null' DEBUG`, { trackState: false });
    const r = await s.exec('cd /srv; (exit 6)');
    expect([r.observation.exit_code, r.state?.cwd]).toEqual([6, '/srv']);
    expect(out(r)).not.toContain('FORAGER');
  });

  it('aliases of the words it uses break only the shell that made them: it exits on the syntax error, no hang', async () => {
    const s = await start();
    await s.exec('cd /srv', { trackState: false });
    const r = await s.exec("shopt -s expand_aliases; alias if='echo' '{'='echo'; cd /tmp", { trackState: false, timeoutMs: 20_000 });
    // Its end report could not be parsed: bash exited on it, so the step's status and cwd are unknown.
    expect([r.observation.timed_out, r.observation.session_restarted, r.observation.exit_code]).toEqual([false, true, 2]);
    const after = await s.exec('pwd; alias', { trackState: false });
    expect([out(after), after.observation.exit_code]).toEqual(['/srv\n', 0]);
  });

  it('times the command by the sandbox\'s clock', async () => {
    const r = await sandbox.exec('sleep 0.3', { trackState: false });
    expect(r.observation.duration_clock).toBe('sandbox');
    expect(r.observation.duration_ms).toBeGreaterThanOrEqual(300);
    expect(r.observation.duration_ms).toBeLessThan(300 + 250);
  });

  it('merges stderr into stdout in the kernel\'s order when asked', async () => {
    const r = await sandbox.exec('echo a; echo b >&2; echo c; echo d >&2', { trackState: false, mergeStderr: true });
    expect([out(r), err(r), r.observation.stderr_merged]).toEqual(['a\nb\nc\nd\n', '', true]);
  });

  it('kills a timed-out command\'s processes, never a background job of an earlier step, even in the same clock tick', async () => {
    const s = await start();
    await s.exec('sleep 300 & echo $! > /tmp/bg', { trackState: false });
    const r = await s.exec('sleep 300', { trackState: false, timeoutMs: 1_000 });
    expect([r.observation.timed_out, r.observation.signal, r.observation.session_restarted]).toEqual([true, 'SIGKILL', false]);
    const count = 'n=0; for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = sleep ] && n=$((n+1)); done; echo $n';
    const alive = await s.exec(`kill -0 "$(cat /tmp/bg)" && echo bg-alive; ${count}`, { trackState: false });
    expect(out(alive)).toBe('bg-alive\n1\n');
  });

  it('kills the shell itself only when it goes on after its command\'s processes were killed: a `wait` on an old job', async () => {
    const s = await start();
    await s.exec('cd /srv; sleep 300 &', { trackState: false });
    const r = await s.exec('wait', { trackState: false, timeoutMs: 1_000 });
    expect([r.observation.timed_out, r.observation.session_restarted]).toEqual([true, true]);
    expect(r.observation.duration_ms).toBeLessThan(15_000);
    const after = await s.exec('pwd', { trackState: false });
    expect(out(after)).toBe('/srv\n');
  });

  it('`kill -9 -1` from inside ends neither the sandbox nor the run: the session and tool process start again and say so', async () => {
    const s = await start();
    await s.exec('echo hello > /work/f.txt; cd /tmp', { trackState: false });
    const k = await s.exec('kill -9 -1', { trackState: false });
    expect(k.observation.session_restarted).toBe(true);
    const after = await s.exec('pwd; cat /work/f.txt', { trackState: false });
    expect([out(after), after.observation.session_restarted]).toEqual(['/tmp\nhello\n', false]);
    const view = await s.fileOp('read', ['/work/f.txt', '100'], { maxStdoutBytes: 101, timeoutMs: 30_000 });
    expect([view.exitCode, view.stdout.toString(), view.toolRestarted ?? false]).toEqual([0, 'hello\n', helpers === 'auto']);
  });

  it('a removed shell ends the run as the agent\'s doing, after the step that removed it is recorded', async () => {
    const s = await start();
    const mv = await s.exec('mv /usr/bin/bash /usr/bin/bash.gone; echo moved', { trackState: false });
    expect(out(mv)).toBe('moved\n');
    const exit = await s.exec('exit 9', { trackState: false });
    expect([exit.observation.exit_code, exit.observation.session_restarted]).toEqual([9, true]);
    const error = await s.exec('true', { trackState: false }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ kind: 'agent', code: 'SHELL_BROKEN' });
  });
});
