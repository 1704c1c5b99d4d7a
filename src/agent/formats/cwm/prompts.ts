import * as T from './prompt-texts.js';
import { pyStrip } from './template.js';

/** CWM's reasoning modes: none, `<think>` text tags (the released eval configs), or reasoning tokens. */
export type CwmReasoning = 'off' | 'tag' | 'token';

export interface CwmPromptSettings {
  /** Numbers, or placeholders for a template. */
  contextSize: number | string;
  maxTurns: number | string;
  /** The per-command time limit, in seconds (the session timeout), or a placeholder. */
  sessionTimeoutS: number | string;
  reasoning: CwmReasoning;
  /** Whether edit and create are offered (SYSTEM_UBUNTU vs SYSTEM_UBUNTU_NO_PLUGINS). */
  plugins: boolean;
}

/** Python's str.format over `{name}` placeholders (the templates hold no other braces). */
export function fillPython(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([a-z_]+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

/** The system prompt SWERLToolEnv.start builds (get_cwm_sys_prompt with the environment text). */
export function cwmSystemPrompt(settings: CwmPromptSettings): string {
  const environment = fillPython(settings.plugins ? T.SYSTEM_UBUNTU : T.SYSTEM_UBUNTU_NO_PLUGINS, {
    context_size: settings.contextSize,
    max_turns: settings.maxTurns,
    session_timeout: `${typeof settings.sessionTimeoutS === 'number' ? Math.trunc(settings.sessionTimeoutS) : settings.sessionTimeoutS}-second`,
  });
  const head = settings.reasoning === 'tag' ? T.THINK_TAG_SYSTEM : settings.reasoning === 'token' ? T.THINK_TOKEN_SYSTEM : '{description}';
  const description = pyStrip(fillPython(head, { description: T.DESCRIPTION }));
  const env = pyStrip(fillPython(T.ENV_PROMPT, { environment: pyStrip(environment) }));
  return pyStrip([description, env].join('\n\n'));
}

/** The user prompt: the issue (the task's instruction) and where the repository is. */
export function cwmUserPrompt(issue: string, repoRoot: string): string {
  return fillPython(T.USER_ISSUE_SOLVING, { issue, repo_root: repoRoot });
}

/** The text the assistant turn starts with: `<think>\n` in tag reasoning mode, else nothing. */
export function assistantPrefix(reasoning: CwmReasoning): string {
  return reasoning === 'tag' ? T.THINK_TAG_START : '';
}

export function budgetNotice(remainingTurns: number, remainingTokens: number): string {
  return fillPython(T.BUDGET_NOTICE_TEMPLATE, { remaining_turns: remainingTurns, remaining_tokens: remainingTokens });
}

export { BUDGET_NOTICE_TEMPLATE, FEEDBACK_OUTPUT_PROMPT, SUBMISSION_FEEDBACK_PROMPT, THINK_TAG_END } from './prompt-texts.js';
