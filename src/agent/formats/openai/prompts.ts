export { DEFAULT_USER_PROMPT as OPENAI_USER_PROMPT } from '../prompts.js';

// OpenAI function-calling default prompt templates (placeholders: see ../../prompt.ts).
export const OPENAI_SYSTEM_PROMPT = `You are a software engineer working in a linux container through the tools you are given. The bash session is persistent across turns. Call exactly one tool in each turn; you have at most {{max_turns}} turns. Call submit when you are done.`;
