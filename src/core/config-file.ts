import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { describeIssues } from './describe-issues.js';
import { TaskError } from './errors.js';

export interface ConfigFileOptions {
  /** What the file holds, for messages ("task file", "agent spec"…). */
  what: string;
  /** Error code prefix: `<PREFIX>_NOT_FOUND`, `<PREFIX>_SYNTAX`, `<PREFIX>_INVALID`. */
  code: string;
}

/** Parse YAML or JSON text by the file's extension; a syntax error names the file. */
export function parseConfigText(file: string, raw: string, options: ConfigFileOptions): unknown {
  const json = extname(file) === '.json';
  try {
    return json ? JSON.parse(raw) : parseYaml(raw);
  } catch (cause) {
    throw new TaskError(`${options.code}_SYNTAX`, `${file}: not valid ${json ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, { cause, context: { file } });
  }
}

/** Read a YAML/JSON file and validate it; every error names the file and the field. */
export async function readConfigFile<S extends z.ZodType>(file: string, schema: S, options: ConfigFileOptions): Promise<{ data: z.output<S>; raw: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new TaskError(`${options.code}_NOT_FOUND`, `${file}: cannot read ${options.what}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause, context: { file } });
  }
  const raw = parseConfigText(file, text, options);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw describeIssues(file, parsed.error.issues, raw, `${options.code}_INVALID`);
  return { data: parsed.data, raw };
}
