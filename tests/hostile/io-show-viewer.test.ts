// @needs docker
import { testProvider } from '../helpers/docker.js';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeForTerminal, escapeJsonForTerminal } from '../../src/cli/terminal-text.js';
import { runTask } from '../../src/runner/index.js';
import { isAllowedHost } from '../../src/viewer/host-check.js';
import { startViewer, type RunningViewer } from '../../src/viewer/index.js';
import { runCli } from '../helpers/cli.js';
import { ensureTestImages } from '../helpers/images.js';
import { scriptedTask, tempDir } from '../helpers/tasks.js';

/** What a hostile agent prints: an OSC 52 clipboard write, a screen clear, BEL, an 8-bit CSI and a bidi override. */
const HOSTILE = String.raw`printf '\033]52;c;ZWNobyBwd25lZA==\007\033[2J\033[H\302\23331m\342\200\256txt.exe\tok\n'`;

describe('escapeForTerminal', () => {
  it('escapes ESC, BEL, CR, DEL, C1 controls and bidi overrides, and keeps tabs and newlines', () => {
    expect(escapeForTerminal('a\x1b]52;c;x\x07\tb\r\n\x7f\u009b\u202e\u2066c')).toBe('a\\x1b]52;c;x\\x07\tb\\r\n\\x7f\\x9b\\u202e\\u2066c');
  });

  it('writes the characters JSON leaves raw as \\u escapes, still valid JSON', () => {
    const json = escapeJsonForTerminal(JSON.stringify({ s: '\u009b\u202ex\x1b' }));
    expect(json).not.toMatch(/[\u009b\u202e\x1b]/);
    expect(JSON.parse(json)).toEqual({ s: '\u009b\u202ex\x1b' });
  });
});

describe('forager show on a trajectory with terminal escapes in it', () => {
  let file: string;

  beforeAll(async () => {
    await ensureTestImages();
    file = join(await tempDir(), 'hostile.jsonl');
    const task = await scriptedTask([{ tool: 'bash', command: HOSTILE }, { tool: 'submit', result: '\x1b[2Jdone' }]);
    await runTask(task, { provider: testProvider(), out: file });
  }, 120_000);

  it('prints no control character but tab and newline, in text and in --json', async () => {
    for (const args of [['show', file], ['show', '--full', file], ['show', '--json', file]]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    const text = (await runCli(['show', file])).stdout;
    expect(text).toContain('\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J');
    expect(text).toContain('\\x9b31m\\u202etxt.exe\tok');
  });
});

describe('viewer Host check (DNS rebinding)', () => {
  let viewer: RunningViewer;
  let port: number;

  beforeAll(async () => {
    viewer = await startViewer({ root: await tempDir() });
    port = Number(new URL(viewer.url).port);
  });
  afterAll(async () => viewer.close());

  const get = (host: string, path = '/api/trajectories') => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });

  it('refuses a foreign Host with 421, on the page and on the API', async () => {
    expect(await get(`evil.example:${port}`)).toBe(421);
    expect(await get(`evil.example:${port}`, '/')).toBe(421);
    expect(await get('127.0.0.1.nip.io:' + port)).toBe(421);
    expect(await get(`localhost:${port + 1}`)).toBe(421);
  });

  it('answers to its own address: 127.0.0.1:<port> and localhost:<port>', async () => {
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
    expect(await get(`localhost:${port}`)).toBe(200);
  });

  it('isAllowedHost: names other than localhost or the configured host are refused', () => {
    expect(isAllowedHost('[::1]:8080', 8080)).toBe(true);
    expect(isAllowedHost('LOCALHOST:8080', 8080)).toBe(true);
    expect(isAllowedHost('box.lan:8080', 8080, 'box.lan')).toBe(true);
    expect(isAllowedHost('box.lan:8080', 8080)).toBe(false);
    expect(isAllowedHost(undefined, 8080)).toBe(false);
    expect(isAllowedHost('localhost', 8080)).toBe(false);
  });
});
