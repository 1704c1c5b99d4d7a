import { TaskError } from '../errors/index.js';
import { readLines } from '../lines/index.js';
import { FooterSchema, HeaderSchema, StepSchema, type Footer, type Header, type Step } from './schema.js';

export interface Trajectory {
  path: string;
  header: Header;
  steps: Step[];
  /** undefined when the file is partial (the run crashed or is still going). */
  footer: Footer | undefined;
}

type LineSchema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };

/** The schemas a trajectory's lines are read with, chosen from its header line. */
export interface LineSchemas<H, S, F> {
  header: LineSchema<H>;
  step: LineSchema<S>;
  footer: LineSchema<F>;
}

/**
 * Read a trajectory file line by line with the schemas `choose` picks from the parsed
 * header (it may throw to refuse the file); a torn last line of a partial file is ignored.
 */
export async function readTrajectoryWith<H, S, F>(
  path: string,
  choose: (header: unknown) => LineSchemas<H, S, F>,
): Promise<{ path: string; header: H; steps: S[]; footer: F | undefined }> {
  let header: H | undefined;
  let footer: F | undefined;
  let schemas: LineSchemas<H, S, F> | undefined;
  const steps: S[] = [];
  let pendingError: TaskError | undefined;
  // A line past the limit stops the read (LineTooLongError names the file, line and limit).
  for await (const { text: line, number: lineNo } of readLines(path)) {
    if (pendingError) throw pendingError;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      // Only the last line may be torn (a crash mid-write); remember and fail if more follow.
      pendingError = new TaskError('TRAJECTORY_INVALID', `${path}:${lineNo}: not valid JSON`, { cause });
      continue;
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (lineNo === 1) {
      schemas = choose(value);
      header = parseLine(schemas.header, value, path, lineNo);
    } else if (type === 'step') {
      steps.push(parseLine(schemas!.step, value, path, lineNo));
    } else if (type === 'footer') {
      footer = parseLine(schemas!.footer, value, path, lineNo);
    } else {
      throw new TaskError('TRAJECTORY_INVALID', `${path}:${lineNo}: field "type": expected "step" or "footer", found ${JSON.stringify(type)}`);
    }
  }
  if (header === undefined) throw new TaskError('TRAJECTORY_INVALID', `${path}: empty file, expected a header line`);
  return { path, header, steps, footer };
}

const HARVESTED: LineSchemas<Header, Step, Footer> = { header: HeaderSchema, step: StepSchema, footer: FooterSchema };

/** Read a trajectory file, validating each line; a torn last line of a partial file is ignored. */
export async function readTrajectory(path: string): Promise<Trajectory> {
  return readTrajectoryWith(path, (header) => {
    if (isImportedHeader(header)) throw new TaskError('TRAJECTORY_IMPORTED', `${path}: an imported trajectory (header.source.kind "import"): view, stats and export read it; replay and show need a harvested one`);
    return HARVESTED;
  });
}

/** Whether the file at `path` ends with a valid footer (a complete trajectory). */
export async function isComplete(path: string): Promise<boolean> {
  try {
    const trajectory = await readTrajectory(path);
    return trajectory.footer !== undefined;
  } catch {
    return false;
  }
}

/** Whether a parsed first line is the header of an imported trajectory. */
export function isImportedHeader(value: unknown): boolean {
  const source = (value as { source?: { kind?: unknown } } | null)?.source;
  return typeof source === 'object' && source !== null && source.kind === 'import';
}

export function parseLine<T>(schema: LineSchema<T>, value: unknown, path: string, lineNo: number): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(line)';
  throw new TaskError('TRAJECTORY_INVALID', `${path}:${lineNo}: field "${field}": ${issue?.message ?? 'invalid'}`);
}
