import { TaskError } from '../errors/index.js';
import { isImportedHeader, parseLine, readLines } from './reader.js';
import {
  FooterSchema, HeaderSchema, ImportedFooterSchema, ImportedHeaderSchema, ImportedStepSchema, StepSchema,
  type Footer, type Header, type ImportedFooter, type ImportedHeader, type ImportedStep, type Step,
} from './schema.js';

export type DatasetHeader = Header | ImportedHeader;
export type DatasetStep = Step | ImportedStep;
export type DatasetFooter = Footer | ImportedFooter;

/** A harvested or an imported trajectory, as dataset readers (export, stats) take it. */
export interface DatasetTrajectory {
  path: string;
  header: DatasetHeader;
  steps: DatasetStep[];
  /** undefined when the file is partial. */
  footer: DatasetFooter | undefined;
}

/**
 * Read a trajectory file for a dataset: a harvested one is validated against the full
 * schema, an imported one (header `source.kind: "import"`) against the relaxed one, in
 * which what the source did not record is absent. A torn last line is ignored as in readTrajectory.
 */
export async function readDatasetTrajectory(path: string): Promise<DatasetTrajectory> {
  let header: DatasetHeader | undefined;
  let footer: DatasetFooter | undefined;
  let imported = false;
  const steps: DatasetStep[] = [];
  let lineNo = 0;
  let pendingError: TaskError | undefined;
  for await (const line of readLines(path)) {
    lineNo += 1;
    if (pendingError) throw pendingError;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      pendingError = new TaskError('TRAJECTORY_INVALID', `${path}:${lineNo}: not valid JSON`, { cause });
      continue;
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (lineNo === 1) {
      imported = isImportedHeader(value);
      header = imported ? parseLine(ImportedHeaderSchema, value, path, lineNo) : parseLine(HeaderSchema, value, path, lineNo);
    } else if (type === 'step') {
      steps.push(imported ? parseLine(ImportedStepSchema, value, path, lineNo) : parseLine(StepSchema, value, path, lineNo));
    } else if (type === 'footer') {
      footer = imported ? parseLine(ImportedFooterSchema, value, path, lineNo) : parseLine(FooterSchema, value, path, lineNo);
    } else {
      throw new TaskError('TRAJECTORY_INVALID', `${path}:${lineNo}: field "type": expected "step" or "footer", found ${JSON.stringify(type)}`);
    }
  }
  if (!header) throw new TaskError('TRAJECTORY_INVALID', `${path}: empty file, expected a header line`);
  return { path, header, steps, footer };
}

/** The import source of a trajectory, or undefined when forager harvested it. */
export function importSourceOf(trajectory: { header: DatasetHeader }): ImportedHeader['source'] | undefined {
  return 'source' in trajectory.header ? (trajectory.header as ImportedHeader).source : undefined;
}
