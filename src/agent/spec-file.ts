import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TaskError } from '../core/errors.js';
import { AgentSpecSchema, type AgentSpec } from './spec.js';

/** Read an agent spec from a YAML or JSON file (the same shape as a task's `agent:`). */
export async function loadAgentSpec(file: string): Promise<AgentSpec> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (cause) {
    throw new TaskError('AGENT_SPEC_NOT_FOUND', `${file}: cannot read agent spec: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause });
  }
  let data: unknown;
  try {
    data = extname(file) === '.json' ? JSON.parse(raw) : parseYaml(raw);
  } catch (cause) {
    throw new TaskError('AGENT_SPEC_INVALID', `${file}: not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, { cause });
  }
  const parsed = AgentSpecSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(top level)';
  throw new TaskError('AGENT_SPEC_INVALID', `${file}: field "${field}": ${issue.message}`, { context: { file } });
}
