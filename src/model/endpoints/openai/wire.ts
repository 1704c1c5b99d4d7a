import { z } from 'zod';

const ToolCallWireSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() }),
});

const count = z.number().int().nonnegative();

/** The part of a chat-completions response forager reads; other fields are ignored. */
export const ChatResponseSchema = z.object({
  id: z.string().nullish(),
  choices: z.array(z.object({
    finish_reason: z.string().nullish(),
    message: z.object({
      content: z.string().nullish(),
      refusal: z.string().nullish(),
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(ToolCallWireSchema).nullish(),
    }),
  })).min(1),
  usage: z.object({
    prompt_tokens: count,
    completion_tokens: count,
    total_tokens: count.nullish(),
    prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
  }).nullish(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;
