// @needs docker chromium
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, type Browser } from '../helpers/browser.js';
import { startViewer, type RunningViewer } from '../../src/viewer/index.js';
import { writeViewerFixtures } from './fixtures.js';

let viewer: RunningViewer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forager-viewer-'));
  await writeViewerFixtures(dir);
  viewer = await startViewer({ root: dir, port: 0 });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
});

const rowsShown = () => page.locator('#trajectories tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelector('.task')!.textContent));

describe('forager view (headless Chromium)', () => {
  it('lists every trajectory under the folder, with its outcome, and filters them', async () => {
    await page.goto(viewer.url);
    await expect.poll(rowsShown).toEqual(['alpha-fix', 'beta-task', 'gamma-partial', 'long-run']);
    await expect.poll(() => page.locator('#count').textContent()).toBe('4 of 4 trajectories');
    expect(await page.locator('tr[data-id="batch/gamma-partial.jsonl"] .badge').textContent()).toBe('partial');

    await page.fill('#f-task', 'ALPHA');
    expect(await rowsShown()).toEqual(['alpha-fix']);
    await page.fill('#f-task', '');
    await page.selectOption('#f-kind', 'infrastructure');
    expect(await rowsShown()).toEqual(['beta-task']);
    await page.selectOption('#f-kind', '');
    await page.selectOption('#f-reward', 'positive');
    expect(await rowsShown()).toEqual(['alpha-fix']);
    await page.selectOption('#f-reward', 'without');
    expect(await rowsShown()).toEqual(['gamma-partial', 'long-run']);
    await page.selectOption('#f-reward', '');
    await page.selectOption('#f-status', 'max_steps');
    expect(await rowsShown()).toEqual(['long-run']);
    await page.selectOption('#f-status', '');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-list.png'), fullPage: true });
  });

  it('shows a step: model text, action, output with truncation and binary preview, exit code, changed files, evaluation', async () => {
    await page.click('tr[data-id="batch/alpha-fix.jsonl"]');
    await expect.poll(() => page.locator('#step-detail h2').textContent()).toBe('step 0');
    const detail = () => page.locator('#step-detail').innerText();
    expect(await detail()).toContain('Let me run the tests first.');
    expect(await detail()).toContain('$ python -m pytest -q');
    expect(await detail()).toContain('3 passed in 0.01s');
    expect(await detail()).toContain('+ /work/.cache/x (10 B)');
    expect(await detail()).toContain('~ /work/calc.py (120 B)');
    expect(await page.locator('#meta .evaluation').innerText()).toContain('"resolved": true');

    await page.click('.row[data-n="1"]');
    await expect.poll(() => page.locator('#step-detail pre.stdout').textContent()).toBe('PK\\x03\\x04\\xff\\x00A');
    await page.click('.row[data-n="2"]');
    await expect.poll(() => page.locator('#step-detail .omitted').textContent()).toMatch(/^\[… \d+ bytes omitted …\]$/);
    await page.click('.row[data-n="3"]');
    await expect.poll(detail).toContain('(no valid action: format error)');
    expect(await detail()).toContain('no tool call');
    await page.click('.row[data-n="4"]');
    await expect.poll(() => page.locator('#step-detail .exit b').textContent()).toBe('1');
    expect(await page.locator('#step-detail pre.stderr').textContent()).toBe('boom\n');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-step.png') });
  });

  it('opens a 1,000-step trajectory quickly, renders only the visible rows, and scrolls to the last step', async () => {
    await page.goto(viewer.url);
    await page.waitForSelector('tr[data-id="batch/long/long-run.jsonl"]');
    const started = Date.now();
    await page.click('tr[data-id="batch/long/long-run.jsonl"]');
    await page.waitForSelector('.row[data-n="0"] .s:text("$ echo step-0")');
    await page.waitForSelector('#step-detail h2:text("step 0")');
    const openMs = Date.now() - started;
    expect(openMs).toBeLessThan(3000);
    expect(await page.locator('.row').count()).toBeLessThan(80);

    const scrolled = Date.now();
    await page.locator('#step-list').evaluate((list) => { list.scrollTop = list.scrollHeight; });
    await page.waitForSelector('.row[data-n="999"] .s:text("$ echo step-999")');
    expect(Date.now() - scrolled).toBeLessThan(2000);
    expect(await page.locator('.row').count()).toBeLessThan(80);
    await page.click('.row[data-n="999"]');
    await expect.poll(() => page.locator('#step-detail pre.stdout').textContent()).toBe('output of step 999\n');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.locator('#step-detail h2').textContent()).toBe('step 998');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-long.png') });
    process.stdout.write(`1,000-step trajectory opened in ${openMs} ms\n`);
  });
});
