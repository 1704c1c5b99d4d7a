import type { Command } from 'commander';
import { TOOL_FORMAT_NAMES, type ModelOverrides } from '../agent/index.js';
import { integer, number } from './arguments.js';

/** Flags that point a run at a model, overriding (or replacing) the task's agent. */
export function addModelOptions(command: Command): Command {
  return command
    .option('--model-url <url>', 'OpenAI-compatible base URL, e.g. http://localhost:8000/v1 (makes the agent model-driven)')
    .option('--model <name>', 'model name sent to the endpoint')
    .option('--api-key-env <var>', 'environment variable holding the API key')
    .option('--tool-format <format>', `tool format: ${TOOL_FORMAT_NAMES.join(' | ')} (see docs/architecture.md)`)
    .option('--temperature <t>', 'sampling temperature', number)
    .option('--top-p <p>', 'nucleus sampling', number)
    .option('--max-tokens <n>', 'completion tokens per model call', integer)
    .option('--model-seed <n>', 'sampling seed sent to the model', integer)
    .option('--max-turns <n>', 'model calls allowed', integer)
    .option('--token-budget <n>', 'prompt + completion tokens allowed over the run', integer)
    .option('--context-window <n>', "the model's context window in tokens", integer)
    .option('--parallel-tool-calls <mode>', 'several tool calls in one answer: run (each in order, one step each) or first (only the first; default)');
}

/** The model flags as overrides for applyModelOverrides(). */
export function modelOverridesFrom(options: Record<string, unknown>): ModelOverrides {
  return {
    baseUrl: options.modelUrl as string | undefined,
    model: options.model as string | undefined,
    apiKeyEnv: options.apiKeyEnv as string | undefined,
    toolFormat: options.toolFormat as ModelOverrides['toolFormat'],
    temperature: options.temperature as number | undefined,
    topP: options.topP as number | undefined,
    maxTokens: options.maxTokens as number | undefined,
    seed: options.modelSeed as number | undefined,
    maxTurns: options.maxTurns as number | undefined,
    tokenBudget: options.tokenBudget as number | undefined,
    contextWindow: options.contextWindow as number | undefined,
    parallelToolCalls: options.parallelToolCalls as ModelOverrides['parallelToolCalls'],
  };
}
