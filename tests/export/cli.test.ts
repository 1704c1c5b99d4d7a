// @needs docker
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

/** Run the CLI in this process, capturing what it prints. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    const code = await main(['node', 'forager', ...args]);
    return { code, stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe('forager export / forager stats', () => {
  it('exports chat in CWM format with dedup and a split, writing a JSON report', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'in', 'a.jsonl'), bashTrajectory('a', 'x-1', ['make test', 'git diff'], { repo: 'org/x' }));
    await writeTrajectory(join(dir, 'in', 'b.jsonl'), bashTrajectory('b', 'x-2', ['make test', 'git diff'], { repo: 'org/x' }));
    await writeFile(join(dir, 'held-out.txt'), 'org/z\n');
    const out = join(dir, 'chat.jsonl');
    const { code, stdout } = await runCli(['export', join(dir, 'in'), '--format', 'chat', '--tool-format', 'cwm', '--out', out, '--dedup', '--jaccard', '0.5', '--split', 'validation=0.5', '--seed', '1', '--exclude-repos', join(dir, 'held-out.txt')]);
    expect(code).toBe(0);
    expect(stdout).toContain('near-duplicates dropped: 1');
    const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8'));
    expect(report.dedup.dropped[0]).toMatchObject({ trajectory_id: 'b', duplicate_of: 'a' });
    const lines = [
      ...(await readFile(join(dir, 'chat.train.jsonl'), 'utf8')).split('\n'),
      ...(await readFile(join(dir, 'chat.validation.jsonl'), 'utf8')).split('\n'),
    ].filter((l) => l !== '');
    expect(lines.map((l) => JSON.parse(l).messages[2].content)).toEqual(['<tool: bash>\nmake test\n</tool>']);
  });

  it('refuses an invalid split with exit code 2', async () => {
    const dir = await makeTempDir();
    const { code } = await runCli(['export', dir, '--format', 'jsonl', '--out', join(dir, 'o.jsonl'), '--split', 'train=2']);
    expect(code).toBe(2);
  });

  it('prints stats as JSON', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'a.jsonl'), bashTrajectory('a', 'x-1', ['ls'], { repo: 'org/x' }));
    const { code, stdout } = await runCli(['stats', dir, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ trajectories: 1, repos: { 'org/x': { trajectories: 1 } } });
  });
});
