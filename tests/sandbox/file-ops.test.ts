// @needs docker
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileOp, ToolRunResult } from '../../src/core/contracts.js';
import type { RuntimeSandbox } from '../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testRunId } from '../helpers/docker.js';

// The tool process (perl) against the POSIX sh scripts it replaces, on the same files: every
// answer the file tools read (status, bytes) must be the same, so either serves them.
const FILES = String.raw`
mkdir -p /work/ft/d/e /work/ft/d/.hid /work/ft/-dash && cd /work/ft
printf 'a\nb\nc\nd' > nolf.txt; printf 'one\r\ntwo\r\n' > crlf.txt; printf 'x\0y\nz\xff\n' > bin.txt; : > empty.txt
printf 'only' > one.txt; seq 1 50000 > many.txt; head -c 300000 /dev/zero | tr '\0' 'q' > longline.txt
touch d/a d/e/b d/.hid/c d/.x; mkfifo fifo; ln -s nolf.txt link; ln -s missing dangling; echo dash > -dash/f
`;

const CASES: [FileOp, string[]][] = [
  ['read', ['nolf.txt', '100']], ['read', ['bin.txt', '100']], ['read', ['empty.txt', '10']], ['read', ['many.txt', '100']],
  ['read', ['d', '10']], ['read', ['fifo', '10']], ['read', ['missing', '10']], ['read', ['link', '100']], ['read', ['dangling', '10']],
  ['read', ['./-dash/f', '10']], ['read', ['/dev/zero', '10']],
  ['view', ['nolf.txt', '1000', '1', '0', '1000']], ['view', ['nolf.txt', '1000', '2', '3', '1000']], ['view', ['nolf.txt', '1000', '4', '9', '1000']],
  ['view', ['nolf.txt', '1000', '7', '9', '1000']], ['view', ['crlf.txt', '1000', '1', '0', '1000']], ['view', ['bin.txt', '1000', '2', '2', '1000']],
  ['view', ['many.txt', '10000000', '49990', '0', '1000']], ['view', ['many.txt', '10000000', '1', '0', '100']], ['view', ['many.txt', '100', '1', '0', '1000']],
  ['view', ['many.txt', '100', '5', '6', '1000']], ['view', ['longline.txt', '10000000', '1', '1', '1000']], ['view', ['empty.txt', '1000', '1', '0', '1000']],
  ['view', ['d', '1000', '1', '0', '1000']], ['view', ['d/', '1000', '1', '0', '1000']], ['view', ['/work/ft/d', '1000', '1', '0', '10']],
  ['view', ['fifo', '1000', '1', '0', '1000']], ['view', ['missing', '1000', '1', '0', '1000']], ['view', ['/proc/self/mem', '1000', '1', '0', '1000']],
  ['lines', ['nolf.txt']], ['lines', ['crlf.txt']], ['lines', ['empty.txt']], ['lines', ['many.txt']], ['lines', ['one.txt']],
];

/**
 * What the file tools read of an answer: status and bytes; a read error is `unreadable`
 * whether it came as a status (perl) or as stderr behind a pipe's status 0 (sed | head).
 */
function answer(r: ToolRunResult): { status: number | null | 'unreadable'; stdout: string } {
  const unreadable = r.exitCode === 1 || (r.exitCode === 0 && r.stdout.length === 0 && r.stderr.length > 0);
  return { status: unreadable ? 'unreadable' : r.exitCode, stdout: r.stdout.toString('latin1') };
}

describe('Sandbox.fileOp: the tool process answers as the scripts do', () => {
  const runId = testRunId();
  let perl: RuntimeSandbox;
  let scripts: RuntimeSandbox;

  beforeAll(async () => {
    [perl, scripts] = await Promise.all([startTestSandbox({}, runId), startTestSandbox({}, runId, { helpers: 'portable' })]);
    for (const s of [perl, scripts]) expect((await s.exec(FILES, { trackState: false })).observation.exit_code).toBe(0);
    for (const s of [perl, scripts]) await s.exec('cd /work/ft', { trackState: false });
  });
  afterAll(async () => {
    await perl?.stop();
    await scripts?.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it.each(CASES)('%s %j', async (op, args) => {
    const options = { maxStdoutBytes: 1 << 20, timeoutMs: 30_000 };
    const [a, b] = await Promise.all([perl.fileOp(op, args, options), scripts.fileOp(op, args, options)]);
    expect(answer(a)).toEqual(answer(b));
  });

  it('write: new, overwrite and edit give the same files and answers, parents made, mode kept', async () => {
    const steps: [string, string, string][] = [
      ['w/new/deep.txt', 'new', 'first\n'], ['w/new/deep.txt', 'new', 'again\n'], ['w/new/deep.txt', 'overwrite', 'second\0\xff\n'],
      ['w/new/deep.txt', 'edit', 'third\n'], ['w/missing.txt', 'edit', 'x'], ['d', 'overwrite', 'x'], ['link', 'edit', 'through link\n'],
      ['dangling', 'new', 'x'],
    ];
    for (const s of [perl, scripts]) await s.exec('chmod 600 nolf.txt', { trackState: false });
    for (const [path, mode, data] of steps) {
      const options = { stdin: Buffer.from(data, 'latin1'), maxStdoutBytes: 64, timeoutMs: 30_000 };
      const [a, b] = await Promise.all([perl.fileOp('write', [path, mode], options), scripts.fileOp('write', [path, mode], options)]);
      expect([path, mode, a.exitCode, a.stdout.toString().trim()]).toEqual([path, mode, b.exitCode, b.stdout.toString().trim()]);
    }
    const listing = 'find w -type f -exec sha256sum {} + | sort; stat -c "%a %s" nolf.txt w/new/deep.txt';
    const [x, y] = await Promise.all([perl.exec(listing, { trackState: false }), scripts.exec(listing, { trackState: false })]);
    expect(x.observation.stdout.text).toBe(y.observation.stdout.text);
    // The edit through the link wrote the link's target, keeping its mode.
    expect(x.observation.stdout.text).toContain('600 13\n');
  });
});
