import type { z } from 'zod';
import { TaskError, type TaskCode } from './errors.js';

/** One readable line per problem: the file, the field, what was expected and what was found. */
export function describeIssues(file: string, issues: z.core.$ZodIssue[], input: unknown, code: TaskCode = 'TASK_INVALID'): TaskError {
  const lines = issues.slice(0, 10).map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    const found = describeValue(valueAt(input, issue.path));
    if (issue.code === 'unrecognized_keys') {
      return `${file}: field "${field === '(top level)' ? '' : `${field}.`}${issue.keys.join('", "')}": unknown key (not part of this file's format)`;
    }
    return `${file}: field "${field}": ${issue.message}; found ${found}`;
  });
  if (issues.length > 10) lines.push(`${file}: … and ${issues.length - 10} more problems`);
  return new TaskError(code, lines.join('\n'), { context: { file } });
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
