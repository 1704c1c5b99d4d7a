import { z } from 'zod';
import { readConfigFile } from '../core/config-file.js';
import { describeIssues } from '../core/describe-issues.js';

export const NORMALIZED_FIELDS = ['stdout', 'stderr', 'paths', 'cwd'] as const;
export type NormalizedField = (typeof NORMALIZED_FIELDS)[number];

const RuleSchema = z.object({
  name: z.string().min(1).optional(),
  /** A JavaScript regular expression; every match is replaced. */
  pattern: z.string().min(1).refine(isRegex, 'a valid JavaScript regular expression'),
  /** Extra flags: i, m, s, u (g is always on). */
  flags: z.string().regex(/^[imsu]*$/, 'flags among i, m, s, u').default(''),
  replace: z.string().default(''),
  /** Where the rule applies (default: everywhere). */
  fields: z.array(z.enum(NORMALIZED_FIELDS)).min(1).optional(),
}).strict();
export type RuleInput = z.input<typeof RuleSchema>;

export const RulesFileSchema = z.object({
  /** Apply the built-in rules before these (default true). */
  defaults: z.boolean().default(true),
  rules: z.array(RuleSchema).default([]),
}).strict();

export interface NormalizeRule {
  name: string;
  regex: RegExp;
  replace: string;
  fields: readonly NormalizedField[];
}

/** Known noise: wall-clock time, PIDs, temporary names, durations, memory addresses. */
export const DEFAULT_RULES: readonly NormalizeRule[] = [
  rule('iso-timestamp', String.raw`\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?`, '<TIMESTAMP>'),
  rule('date-output', String.raw`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})? \d{4}\b`, '<DATE>'),
  rule('clock-time', String.raw`\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b`, '<TIME>'),
  rule('epoch', String.raw`\b1[5-9]\d{8}(?:\d{3}|\d{6}|\d{9})?\b`, '<EPOCH>'),
  rule('duration', String.raw`\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds)\b`, '<DURATION>'),
  rule('hex-address', String.raw`\b0x[0-9a-fA-F]{6,16}\b`, '0x<ADDR>'),
  rule('pid', String.raw`\b(pid|PID|process|Process)([ =:#]+)\d+\b`, '$1$2<PID>'),
  rule('job-pid', String.raw`^(bash: line \d+:\s+)\d+(?=\s+(?:Killed|Terminated|Aborted|Segmentation fault|Done|Exit \d+))`, '$1<PID>', 'm'),
  rule('temp-path', String.raw`/tmp/(?:tmp|pytest-of-[^/\s]+/pytest-)[A-Za-z0-9_.-]*`, '/tmp/<TMP>'),
];

/** The rules a `--normalize` flag asks for: the defaults, or those of a rules file. */
export async function loadRules(file: string | undefined): Promise<NormalizeRule[]> {
  if (file === undefined) return [...DEFAULT_RULES];
  const { data } = await readConfigFile(file, RulesFileSchema, { what: 'normalisation rules', codePrefix: 'RULES' });
  return rulesFrom(data);
}

/** Validate rules-file content; messages name the file, the field, what was expected and found. */
export function parseRules(data: unknown, file = '(rules)'): NormalizeRule[] {
  const parsed = RulesFileSchema.safeParse(data ?? {});
  if (!parsed.success) throw describeIssues(file, parsed.error.issues, data, 'RULES_INVALID');
  return rulesFrom(parsed.data);
}

function rulesFrom(data: z.output<typeof RulesFileSchema>): NormalizeRule[] {
  const own = data.rules.map((r, i) => rule(r.name ?? `rule ${i}`, r.pattern, r.replace, r.flags, r.fields));
  return [...(data.defaults ? DEFAULT_RULES : []), ...own];
}

/** Apply every rule for `field` in order. */
export function normalizeText(text: string, field: NormalizedField, rules: readonly NormalizeRule[]): string {
  let out = text;
  for (const r of rules) if (r.fields.includes(field)) out = out.replace(r.regex, r.replace);
  return out;
}

function rule(name: string, pattern: string, replace: string, flags = '', fields: readonly NormalizedField[] = NORMALIZED_FIELDS): NormalizeRule {
  return { name, regex: new RegExp(pattern, `g${flags}`), replace, fields };
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
