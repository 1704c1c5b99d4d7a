import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { supplyPaths } from './layout.js';

export type StageName = 'env' | 'mine' | 'mutate' | 'validate';
export const STAGES: readonly StageName[] = ['env', 'mine', 'mutate', 'validate'];

/** What the pipeline says as it goes (the CLI turns these into a bar or lines; the log keeps them). */
export type SupplyEvent =
  | { type: 'planned'; repos: number; stages: StageName[] }
  | { type: 'stage-started'; repo: string; stage: StageName; try: number }
  | { type: 'stage-skipped'; repo: string; stage: StageName; reason: string }
  | { type: 'stage-retry'; repo: string; stage: StageName; code: string; message: string; delay_ms: number }
  | { type: 'stage-finished'; repo: string; stage: StageName; ok: boolean; summary: string; duration_ms: number }
  | { type: 'stage-failed'; repo: string; stage: StageName; code: string; message: string; final: boolean; duration_ms: number }
  | { type: 'interrupted'; reason: string };

/** Append events to OUT/supply.jsonl, one line each, in order; a torn last line is closed first. */
export class SupplyLog {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string) {}

  static async open(out: string): Promise<SupplyLog> {
    const path = supplyPaths.log(out);
    await mkdir(dirname(path), { recursive: true });
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text && !text.endsWith('\n')) await appendFile(path, '\n');
    return new SupplyLog(path);
  }

  append(event: SupplyEvent): Promise<void> {
    const line = `${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`;
    this.chain = this.chain.then(() => appendFile(this.path, line));
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
  }
}
