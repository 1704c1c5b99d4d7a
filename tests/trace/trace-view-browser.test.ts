// @needs docker chromium
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, type Browser } from '../helpers/browser.js';
import { writeSampleTrace } from './fixtures.js';
import { startViewer, type RunningViewer } from '../../src/viewer/index.js';

let viewer: RunningViewer;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forager-trace-view-'));
  await writeSampleTrace(dir);
  viewer = await startViewer({ root: dir, port: 0 });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
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
