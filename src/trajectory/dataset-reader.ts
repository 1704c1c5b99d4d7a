import { isImportedHeader, readTrajectoryWith, type LineSchemas } from './reader.js';
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
  /**
   * A verdict from outside the file, which dataset readers prefer to the footer's own
   * (an official SWE-bench harness run attached with `forager swebench report --from-harness`).
   */
  grade?: ExternalGrade;
}

export interface ExternalGrade {
  /** null: the grader could not grade it (the footer's own verdict then stands). */
  resolved: boolean | null;
  reward: number | null;
  /** Where the verdict came from (the harness report's path). */
  source: string;
}

/**
 * Read a trajectory file for a dataset: a harvested one is validated against the full
 * schema, an imported one (header `source.kind: "import"`) against the relaxed one, in
 * which what the source did not record is absent. A torn last line is ignored as in readTrajectory.
 */
export async function readDatasetTrajectory(path: string): Promise<DatasetTrajectory> {
  return readTrajectoryWith<DatasetHeader, DatasetStep, DatasetFooter>(path, (header) => (isImportedHeader(header) ? IMPORTED : HARVESTED));
}

const HARVESTED: LineSchemas<DatasetHeader, DatasetStep, DatasetFooter> = { header: HeaderSchema, step: StepSchema, footer: FooterSchema };
const IMPORTED: LineSchemas<DatasetHeader, DatasetStep, DatasetFooter> = { header: ImportedHeaderSchema, step: ImportedStepSchema, footer: ImportedFooterSchema };

/** The import source of a trajectory, or undefined when forager harvested it. */
export function importSourceOf(trajectory: { header: DatasetHeader }): ImportedHeader['source'] | undefined {
  return 'source' in trajectory.header ? (trajectory.header as ImportedHeader).source : undefined;
}
