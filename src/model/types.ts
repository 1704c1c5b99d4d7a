import { z } from 'zod';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One chat message as sent to an OpenAI-compatible endpoint. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  /** For `tool` messages: the tool's name (CWM's `tool: NAME` role). */
  name?: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
}

/** A function the model may call (OpenAI `tools` entry). */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
  /** Extra fields merged into the request body (server-specific: top_k, chat_template_kwargs…). */
  extra_body?: Record<string, unknown>;
}

export interface ChatRequest extends SamplingParams {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** What one chat completion produced, plus how it went on the wire. */
export interface ChatCompletion {
  id?: string;
  text: string;
  reasoning?: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage?: Usage;
  latencyMs: number;
  retries: number;
}

const ToolCallWireSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() }),
});

/** The part of a chat-completions response forager reads; other fields are ignored. */
export const ChatResponseSchema = z.object({
  id: z.string().nullish(),
  choices: z.array(z.object({
    finish_reason: z.string().nullish(),
    message: z.object({
      content: z.string().nullish(),
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(ToolCallWireSchema).nullish(),
    }),
  })).min(1),
  usage: z.object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative().nullish(),
  }).nullish(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;
