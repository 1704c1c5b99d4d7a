import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TRAJECTORIES_DIR } from '../scheduler/layout.js';
import { ImportedFooterSchema, ImportedHeaderSchema, ImportedStepSchema, type ImportSource } from '../trajectory/schema.js';
import { ImportError } from './errors.js';
import { buildLines, type ImportedRecord } from './record.js';

/**
 * Write imported trajectories as a batch folder does (`OUT/trajectories/<task-id>/<n>.jsonl`),
 * so view, stats and export read it as they read a harvest. Several trajectories of one
 * task (other models, other runs) take attempts 0, 1, 2…
 */
export class ImportWriter {
  private readonly attempts = new Map<string, number>();
  readonly files: string[] = [];

  constructor(private readonly out: string) {}

  async write(record: ImportedRecord): Promise<string> {
    const { header, steps, footer } = buildLines(record);
    const folder = safeName(record.taskId);
    const attempt = this.attempts.get(folder) ?? 0;
    this.attempts.set(folder, attempt + 1);
    if (!record.restoreHeader || typeof record.restoreHeader['attempt'] !== 'number') header.attempt = attempt;
    validate(ImportedHeaderSchema, header, record.source, 'header');
    steps.forEach((step, i) => validate(ImportedStepSchema, step, record.source, `steps.${i}`));
    validate(ImportedFooterSchema, footer, record.source, 'footer');
    const path = join(this.out, TRAJECTORIES_DIR, folder, `${attempt}.jsonl`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, [header, ...steps, footer].map((line) => `${JSON.stringify(line)}\n`).join(''));
    this.files.push(path);
    return path;
  }
}

/** What an importer built must read back: a field the source carried through in a wrong shape is named, not written. */
function validate(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, source: ImportSource, what: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error?.issues[0];
  const where = `${source.path}${source.record !== undefined ? `#${source.record}` : ''}`;
  throw new ImportError(`${where}: the imported ${what}, field "${issue?.path.map(String).join('.') ?? ''}": ${issue?.message ?? 'invalid'}`);
}

/** A task id as a folder name: path separators and other unsafe characters become `_`. */
function safeName(taskId: string): string {
  const name = taskId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return name === '' ? '_' : name.slice(0, 200);
}
