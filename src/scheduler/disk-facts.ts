import { z } from 'zod';
import { LineTooLongError, readFirstLine, readLines } from '../lines/index.js';
import { HeaderSchema } from '../trajectory/schema.js';
import type { SandboxDiskFacts } from './disk-summary.js';

/** Only what the disk summary needs of a header: the rest (instruction, spec) may be large and is not checked here. */
const DiskHeaderSchema = z.object({
  type: z.literal('header'),
  limits: z.object({ runtime: z.string().optional() }),
  sandbox: HeaderSchema.shape.sandbox,
});

/** A step line that may carry disk facts: parsed only when it names them, so a long trajectory is not parsed whole. */
const DiskStepSchema = z.object({
  type: z.literal('step'),
  index: z.number().int().nonnegative(),
  observation: z.object({
    disk_limit_reached: z.boolean().optional(),
    disk_overshoot_bytes: z.number().int().nonnegative().optional(),
  }).nullable(),
});

/**
 * Read one attempt file's disk facts: its header (first line) and, when `scanSteps`, its
 * steps' `disk_limit_reached` and `disk_overshoot_bytes`. A step that reached the disk limit
 * ends its attempt with DISK_LIMIT, so the caller scans only those files and partial ones
 * (a crash may have come after such a step): the others hold no overshoot.
 */
export async function readDiskFacts(path: string, task: string, attempt: number, scanSteps: boolean): Promise<SandboxDiskFacts> {
  const facts: SandboxDiskFacts = { task, attempt, header: await readDiskHeader(path), limitReached: 0 };
  if (!scanSteps) return facts;
  try {
    for await (const line of readLines(path)) {
      if (!line.text.includes('"disk_limit_reached"')) continue;
      const step = parseStep(line.text);
      if (!step?.observation?.disk_limit_reached) continue;
      facts.limitReached += 1;
      const bytes = step.observation.disk_overshoot_bytes;
      if (bytes !== undefined && bytes > (facts.overshoot?.bytes ?? -1)) facts.overshoot = { bytes, step: step.index };
    }
  } catch (error) {
    // A line past the limit is no step forager wrote (observations are bounded far below it).
    if (!(error instanceof LineTooLongError)) throw error;
    facts.stepsUnread = true;
  }
  return facts;
}

async function readDiskHeader(path: string): Promise<SandboxDiskFacts['header']> {
  let text: string;
  try {
    text = await readFirstLine(path);
  } catch (error) {
    if (error instanceof LineTooLongError || (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = DiskHeaderSchema.safeParse(parseJson(text));
  if (!parsed.success) return null;
  return { sandbox: parsed.data.sandbox, runtime: parsed.data.limits.runtime };
}

function parseStep(text: string): z.infer<typeof DiskStepSchema> | null {
  const parsed = DiskStepSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
