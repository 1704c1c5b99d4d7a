import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRACE_LIMITS, type Invocation, type TraceFooter, type TraceFunction, type TraceHeader } from '../../src/trace/index.js';
import { startViewer, type RunningViewer } from '../../src/viewer/index.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let viewer: RunningViewer;
let browser: BrowserContext;
let page: Page;
let dir: string;
let profile: string;

const header: TraceHeader = {
  type: 'header', format: 'forager.trace', version: 1, forager_version: '0.0.0', trace_id: 'trace-1', run_id: 'r', started_at: '2026-11-30T00:00:00.000Z',
  task: { id: 'countdown-task', hash: 'h' }, image: { ref: 'img', id: 'sha256:0123456789abcdef0123' }, python: '3.11.2', root: '/work', command: 'pytest', limits: DEFAULT_TRACE_LIMITS,
};
const fn: TraceFunction = {
  type: 'function', key: 'm.py:countdown:3', file: 'm.py', qualname: 'countdown', firstlineno: 3,
  source: 'def countdown(n):\n    total = 0\n    while n > 0:\n        total += n\n        n -= 1\n    return total\n', source_line: 3,
};
const invocation: Invocation = {
  type: 'invocation', id: '9-1', function: fn.key, pid: 9, thread: 'MainThread', main_thread: true, file: 'm.py', qualname: 'countdown', firstlineno: 3,
  call_index: 0, test: 'tests/test_m.py::test_countdown', parent: null, generator: false, args: { n: '2' }, outcome: 'return', return: '3', cut: null,
  events: [
    { event: 'call', line: 3, locals: { n: '2' } },
    { event: 'line', line: 4, locals: {} },
    { event: 'line', line: 5, locals: { total: '0' } },
    { event: 'line', line: 6, locals: {} },
    { event: 'line', line: 7, locals: { total: '2' } },
    { event: 'line', line: 5, locals: { n: '1' } },
    { event: 'return', line: 8, locals: { total: '3', n: '0' }, value: '3' },
  ],
};
const footer = { type: 'footer', exit_status: 'agent_finished', failure_kind: null, ended_at: '2026-11-30T00:00:01.000Z', duration_ms: 1, steps: 1,
  totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 }, command: { exit_code: 0, timed_out: false, duration_ms: 1, log_tail: '' },
  processes: 1, functions: 1, invocations: 2, events: 8, bytes: 1, cuts: {}, sampling: {}, endings: { exit: 1 } } satisfies TraceFooter;
const other: Invocation = { ...invocation, id: '9-2', call_index: 1, args: { n: '0' }, return: '0', test: 'tests/test_m.py::test_zero', events: [{ event: 'call', line: 3, locals: { n: '0' } }] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forager-trace-view-'));
  await mkdir(join(dir, 'trajectories', 'countdown-task'), { recursive: true });
  await writeFile(join(dir, 'trajectories', 'countdown-task', '0.jsonl'), [header, fn, invocation, other, footer].map((l) => JSON.stringify(l)).join('\n') + '\n');
  viewer = await startViewer({ root: dir, port: 0 });
  await mkdir(ARTIFACTS, { recursive: true });
  profile = await mkdtemp(join(tmpdir(), 'forager-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (error) => { throw error; });
});

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (profile) await rm(profile, { recursive: true, force: true });
});

const current = () => page.locator('#source .ln.current').getAttribute('data-line');
const locals = () => page.locator('#locals tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[0]!.textContent, r.children[1]!.textContent, r.className]));

describe('forager view of a trace (headless Chromium)', () => {
  it('shows the function\'s source with the current line, the locals beside it, and steps forward and back', async () => {
    await page.goto(`${viewer.url}trace`);
    await expect.poll(() => page.locator('#invocation-list li').count()).toBe(2);
    await expect.poll(() => page.locator('#position').textContent()).toBe('event 1 / 7');
    expect(await page.locator('#trace-meta').textContent()).toContain('countdown-task · Python 3.11.2');
    expect(await page.locator('#source .ln').count()).toBe(6);
    expect(await current()).toBe('3');
    expect(await locals()).toEqual([['n', '2', 'changed']]);

    await page.click('#next');
    await page.click('#next');
    expect(await current()).toBe('5');
    expect(await locals()).toEqual([['n', '2', ''], ['total', '0', 'changed']]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await current()).toBe('5');
    expect(await locals()).toEqual([['n', '1', 'changed'], ['total', '2', '']]);
    await page.click('#prev');
    expect(await current()).toBe('7');
    expect(await locals()).toEqual([['n', '2', ''], ['total', '2', 'changed']]);
    await page.keyboard.press('End');
    expect(await page.locator('#event-kind').textContent()).toBe('return');
    expect(await page.locator('#event-value').textContent()).toBe('value: 3');
    expect(await current()).toBe('8');
    await page.screenshot({ path: join(ARTIFACTS, 'trace-view.png'), fullPage: true });
    await page.keyboard.press('Home');
    expect(await page.locator('#position').textContent()).toBe('event 1 / 7');
  });

  it('lists the invocations with their tests, filters them and opens another', async () => {
    await page.fill('#f-inv', 'test_zero');
    await expect.poll(() => page.locator('#invocation-list li').count()).toBe(1);
    await page.click('#invocation-list li');
    await expect.poll(() => page.locator('#position').textContent()).toBe('event 1 / 1');
    expect(await page.locator('#inv-meta').textContent()).toContain('tests/test_m.py::test_zero');
    expect(await locals()).toEqual([['n', '0', 'changed']]);
  });

  it('answers only for trace files under its root', async () => {
    const res = await fetch(`${viewer.url}api/invocation?id=${encodeURIComponent('../../etc/passwd')}&n=0`);
    expect(res.status).toBe(404);
    const list = (await (await fetch(`${viewer.url}api/traces`)).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id)).toEqual(['trajectories/countdown-task/0.jsonl']);
  });
});
