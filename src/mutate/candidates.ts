import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TaskError } from '../core/errors.js';
import { MUTATION_KINDS } from './kinds.js';

/** One mutant proposed by mutate.py: a line hunk of one file, and the tests that call the function. */
export const CandidateSchema = z.object({
  kind: z.enum(MUTATION_KINDS),
  op: z.string().min(1),
  file: z.string().min(1),
  function: z.string().min(1),
  function_line: z.number().int().positive(),
  line: z.number().int().positive(),
  description: z.string(),
  tests: z.array(z.string()),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  hunk: z.object({ start: z.number().int().min(0), delete: z.number().int().min(0), insert: z.array(z.string()) }).strict(),
}).strict();
export type Candidate = z.infer<typeof CandidateSchema>;

export const CandidateFileSchema = z.object({ functions: z.number().int(), candidates: z.array(CandidateSchema) }).strict();

/** What forager_trace.py records of a test run. */
export const TraceSchema = z.object({
  root: z.string(),
  tests: z.array(z.object({
    nodeid: z.string(),
    outcome: z.enum(['passed', 'failed', 'skipped']),
    functions: z.array(z.tuple([z.string(), z.string(), z.number()])),
  })),
});
export type Trace = z.infer<typeof TraceSchema>;

/** Parse a JSON document the Python side wrote, naming the file and the first wrong field. */
export function parseHelperOutput<T>(schema: z.ZodType<T>, text: string, file: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new TaskError('MUTATE_HELPER_OUTPUT', `${file}: expected JSON, found ${text.slice(0, 200)}`, { cause });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TaskError('MUTATE_HELPER_OUTPUT', `${file}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The mutated file: the candidate's hunk spliced into the original text (lines split on \n). */
export function spliceHunk(original: string, candidate: Candidate): string {
  const lines = original.split('\n');
  lines.splice(candidate.hunk.start, candidate.hunk.delete, ...candidate.hunk.insert);
  return lines.join('\n');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A stable order for candidates, whatever order they were found in. */
export function sortCandidates(candidates: Candidate[]): Candidate[] {
  const key = (c: Candidate): string => [c.file, String(c.function_line).padStart(8, '0'), c.function, c.kind, c.op, String(c.line).padStart(8, '0'), c.sha256].join('\0');
  return [...candidates].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
