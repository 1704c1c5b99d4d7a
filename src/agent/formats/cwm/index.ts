export { getTokenCounter, encodeLlama3, CWM_TOKENIZER_NAMES, type TokenCounter, type CwmTokenizerName } from './tokens.js';
export { countMessage, truncateMessage, renderMessage, renderDialog, roleText, pyStrip, CWM_TOKENS, type CwmMessage } from './template.js';
export { cwmSystemPrompt, cwmUserPrompt, assistantPrefix, budgetNotice, fillPython, type CwmReasoning, type CwmPromptSettings } from './prompts.js';
export { parseCwmToolCall, answerAfterReasoning, toCwmAction, thinkingEnd, CWM_TOOL_CALL, CWM_TOOLS, type CwmCall } from './parse.js';
export { applyCwmEdit, createMessage, readAsPython } from './edit-tool.js';
export { toolFeedback, sessionRead, bashFeedback, submitFeedback, decodeIgnoringErrors, SESSION_SENTENCES, CWM_MAX_OUTPUT_BYTES } from './observe.js';
export { CwmLedger, CWM_DEFAULTS, type CwmLedgerSettings, type CwmToolReply } from './ledger.js';
export { performCwmTool } from './perform.js';
export { createCwmFormat, cwmSystemTemplate, formatCwmCall, CWM_USER_TEMPLATE } from './format.js';
