import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The SDK param type a request body must satisfy, by endpoint, API version and streaming. */
export function sdkParamType(endpoint: 'openai' | 'anthropic', body: Record<string, unknown>, anthropicVersion?: string): string {
  const streaming = body.stream === true;
  if (endpoint === 'openai') return streaming ? 'OpenAIStreaming' : 'OpenAIPlain';
  const line = anthropicVersion === '2023-06-01' ? 'Anthropic20230601' : 'Anthropic20261021';
  return `${line}${streaming ? 'Streaming' : 'Plain'}`;
}

const IMPORTS = [
  "import type { ChatCompletionCreateParamsStreaming as OpenAIStreaming, ChatCompletionCreateParamsNonStreaming as OpenAIPlain } from 'openai/resources/chat/completions';",
  "import type { MessageCreateParamsStreaming as Anthropic20261021Streaming, MessageCreateParamsNonStreaming as Anthropic20261021Plain } from '@anthropic-ai/sdk/resources/messages';",
  "import type { MessageCreateParamsStreaming as Anthropic20230601Streaming, MessageCreateParamsNonStreaming as Anthropic20230601Plain } from 'anthropic-sdk-2023-06-01/resources/messages';",
];

/**
 * Type-check request bodies against the official SDKs' param types: each body is written as
 * an object literal `satisfies` its type (so an unknown field is an error too, as excess
 * properties are) and compiled by TypeScript. Returns the errors of each body, in order.
 */
export async function typeCheckBodies(bodies: Array<{ type: string; body: unknown }>): Promise<string[][]> {
  const dir = join(ROOT, 'tests', 'artifacts');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `sdk-bodies-${randomUUID()}.ts`);
  const lines = [...IMPORTS, ...bodies.map((b, i) => `export const body${i} = ${JSON.stringify(b.body)} satisfies ${b.type};`)];
  await writeFile(file, `${lines.join('\n')}\n`);
  try {
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    const errors: string[][] = bodies.map(() => []);
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) throw new Error(`type check: ${text}`);
      const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - IMPORTS.length;
      errors[line]!.push(text.split('\n').slice(0, 3).join(' / '));
    }
    return errors;
  } finally {
    await rm(file, { force: true });
  }
}
