import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { describeIssues } from './describe-issues.js';
import { TaskError, type TaskCode } from './errors.js';

export interface ConfigFileOptions {
  /** What the file holds, for messages ("task file", "agent spec"…). */
  what: string;
  /** Error code prefix: `<PREFIX>_NOT_FOUND`, `<PREFIX>_SYNTAX`, `<PREFIX>_INVALID` (each in the registry). */
  codePrefix: ConfigCodePrefix;
}

/** The kinds of configuration file, by the prefix of their error codes. */
export type ConfigCodePrefix = 'TASK' | 'AGENT_SPEC' | 'PRICES' | 'RULES';
type ConfigCode = `${ConfigCodePrefix}_${'NOT_FOUND' | 'SYNTAX' | 'INVALID'}`;
// Every prefix's three codes are registered task codes (a missing one fails to compile here).
const registered: ConfigCode extends TaskCode ? true : never = true;
void registered;

/** Parse YAML or JSON text by the file's extension; a syntax error names the file. */
export function parseConfigText(file: string, raw: string, options: ConfigFileOptions): unknown {
  const json = extname(file) === '.json';
  try {
    return json ? JSON.parse(raw) : parseYaml(raw);
  } catch (cause) {
    throw new TaskError(`${options.codePrefix}_SYNTAX` satisfies ConfigCode, `${file}: not valid ${json ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, { cause, context: { file } });
  }
}

/** Read a YAML/JSON file and validate it; every error names the file and the field. */
export async function readConfigFile<S extends z.ZodType>(file: string, schema: S, options: ConfigFileOptions): Promise<{ data: z.output<S>; raw: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new TaskError(`${options.codePrefix}_NOT_FOUND` satisfies ConfigCode, `${file}: cannot read ${options.what}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause, context: { file } });
  }
  const raw = parseConfigText(file, text, options);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw describeIssues(file, parsed.error.issues, raw, `${options.codePrefix}_INVALID` satisfies ConfigCode);
  return { data: parsed.data, raw };
}
