import { stat } from 'node:fs/promises';
import { indexLines, readIndexedLines, type LineIndex } from './lines.js';

/** One row of the step list: enough to scan a long run without loading outputs. */
export interface StepRow {
  index: number;
  tool: string | null;
  summary: string;
  exit_code: number | null;
  timed_out: boolean;
  omitted_bytes: number;
  changes: number;
  failure: string | null;
  format_error: boolean;
  replay_of: number | null;
}

/**
 * Line indexes of opened trajectories, rebuilt when a file grows (a run still going),
 * so a page of steps is one positioned read instead of a parse of the whole file.
 */
export class StepStore {
  private readonly indexes = new Map<string, LineIndex>();

  async open(path: string): Promise<{ header: unknown; footer: unknown; total: number }> {
    const index = await this.index(path);
    const [first] = await readIndexedLines(path, index, 0, 1);
    const lastLine = index.lines.length > 1 ? (await readIndexedLines(path, index, index.lines.length - 1, index.lines.length))[0] : undefined;
    const last = lastLine ? safeParse(lastLine) : null;
    const footer = last?.type === 'footer' ? last : null;
    return { header: first ? safeParse(first) : null, footer, total: Math.max(0, index.lines.length - 1 - (footer ? 1 : 0)) };
  }

  /** Rows for steps [offset, offset + limit). */
  async rows(path: string, offset: number, limit: number): Promise<{ total: number; rows: StepRow[] }> {
    const { total, lines } = await this.stepLines(path, offset, limit);
    return { total, rows: lines.map((line) => toRow(safeParse(line) ?? {})) };
  }

  /** The full step at position `n`. */
  async step(path: string, n: number): Promise<unknown> {
    const { lines } = await this.stepLines(path, n, 1);
    return lines[0] ? safeParse(lines[0]) : null;
  }

  private async stepLines(path: string, offset: number, limit: number): Promise<{ total: number; lines: string[] }> {
    const index = await this.index(path);
    const lastIsFooter = index.lines.length > 1 && safeParse((await readIndexedLines(path, index, index.lines.length - 1, index.lines.length))[0]!)?.type === 'footer';
    const total = Math.max(0, index.lines.length - 1 - (lastIsFooter ? 1 : 0));
    const from = Math.min(total, Math.max(0, offset));
    const to = Math.min(total, from + Math.max(0, limit));
    return { total, lines: await readIndexedLines(path, index, 1 + from, 1 + to) };
  }

  private async index(path: string): Promise<LineIndex> {
    const info = await stat(path);
    const known = this.indexes.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known;
    const fresh = await indexLines(path);
    this.indexes.set(path, fresh);
    return fresh;
  }
}

function toRow(step: Record<string, any>): StepRow {
  const action = step.action as Record<string, any> | null;
  const obs = step.observation as Record<string, any> | null;
  return {
    index: typeof step.index === 'number' ? step.index : -1,
    tool: action ? String(action.tool) : null,
    summary: describe(action),
    exit_code: obs && typeof obs.exit_code === 'number' ? obs.exit_code : null,
    timed_out: Boolean(obs?.timed_out),
    omitted_bytes: (obs?.stdout?.omitted_bytes ?? 0) + (obs?.stderr?.omitted_bytes ?? 0),
    changes: Array.isArray(step.state?.changes) ? step.state.changes.length : 0,
    failure: step.failure ? `${step.failure.kind}: ${step.failure.code}` : null,
    format_error: action === null,
    replay_of: typeof step.replay_of === 'number' ? step.replay_of : null,
  };
}

function describe(action: Record<string, any> | null): string {
  if (!action) return '(format error)';
  const text = (() => {
    switch (action.tool) {
      case 'bash': return `$ ${action.command}`;
      case 'view': return `view ${action.path}`;
      case 'create': return `create ${action.path}`;
      case 'edit': return `edit ${action.path}`;
      case 'submit': return `submit ${action.result ?? ''}`;
      default: return String(action.tool);
    }
  })();
  const oneLine = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}…` : oneLine;
}

function safeParse(line: string): Record<string, any> | null {
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return null;
  }
}
