import { createCwmFormat } from './cwm/index.js';
import { createForagerFormat } from './forager/index.js';
import { createOpenaiFormat } from './openai/index.js';
import type { ToolFormatFactory } from './types.js';

/** Every tool format forager speaks. Adding one: its folder, and one line here. */
export const TOOL_FORMATS = {
  openai: createOpenaiFormat,
  cwm: createCwmFormat,
  forager: createForagerFormat,
} satisfies Record<string, ToolFormatFactory>;
