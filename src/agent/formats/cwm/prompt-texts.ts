// CWM's prompt texts, verbatim from facebookresearch/cwm@7930e0298bf32aae28cc0e35e18a54c772603364:
// cwm/rl/envs/envs/swerl_tool.py (SYSTEM_UBUNTU, SYSTEM_UBUNTU_NO_PLUGINS, USER_ISSUE_SOLVING,
// BUDGET_NOTICE_TEMPLATE, SUBMISSION_FEEDBACK_PROMPT, FEEDBACK_OUTPUT_PROMPT) and cwm/rl/envs/prompts.py.
// Python `{name}` placeholders are kept as they are and filled by fillPython().

export const SYSTEM_UBUNTU = `You are working in a linux container. The container session is persistent but will restart when encountering errors or after a {session_timeout} session timeout in each turn. You are also constrained by a {context_size} total context window limit. You can interact with the container through the following tool interface for at most {max_turns} turns. Here are the specifications:

<tool: bash>
[command(s)]
</tool>
Executes bash command(s) [command(s)] in the current session. [command(s)] can be any non-interactive bash command(s), either single or multi-line.

<tool: edit>
[path]
<<<<<<< SEARCH
[search_lines]
=======
[replacement_lines]
>>>>>>> REPLACE
</tool>
Replaces [search_lines] from [path] with [replacement_lines], where [path] must exist and [search_lines] must uniquely and exactly match one or more consecutive lines from the original file, including indentations and whitespaces.

<tool: create>
[path]
[content]
</tool>
Creates a new file at [path] with [content], where [path] must not exist, but its parent directory must exist.

<tool: submit>
[result]
</tool>
Marks [result] as your final submission. The meaning and format of [result] depends on the specific user request.

REQUIREMENTS:
* You cannot invoke more than one tool in each step.
* You must invoke exactly one tool in each step before any <tool: submit> call.
* After successful submission, provide a final response if the request is resolved, otherwise continue iterating. You cannot provide a final response before invoking <tool: submit>.`;

export const SYSTEM_UBUNTU_NO_PLUGINS = `You are working in a linux container. The container session is persistent but will restart when encountering errors or after a {session_timeout} session timeout in each turn. You are also constrained by a {context_size} total context window limit. You can interact with the container through the following tool interface for at most {max_turns} turns. Here are the specifications:

<tool: bash>
[command(s)]
</tool>
Executes bash command(s) [command(s)] in the current session. [command(s)] can be any non-interactive bash command(s), either single or multi-line.

<tool: submit>
[result]
</tool>
Marks [result] as your final submission. The meaning and format of [result] depends on the specific user request.

REQUIREMENTS:
* You cannot invoke more than one tool in each step.
* You must invoke exactly one tool in each step before any <tool: submit> call.
* After successful submission, provide a final response if the request is resolved, otherwise continue iterating. You cannot provide a final response before invoking <tool: submit>.`;

export const USER_ISSUE_SOLVING = `Solve the following issue by implementing the necessary code changes and submitting a patch file:

<issue_description>
{issue}
</issue_description>

The [result] argument of <tool: submit> should be the path to a patch file that resolves the issue. This file must be accessible from the current working directory and should contain the end-to-end code changes in git diff format. You can refine and submit your patch multiple times as needed to ensure correctness.

Once you've submitted at least once and are confident in your solution, provide a final response summarizing your work using the following markdown template as a guide. Feel free to adjust the sections as necessary to fit the specific issue and solution:

\`\`\`markdown
## Issue Summary

Brief description of the issue (bug/feature/enhancement), affected component, and expected outcome.

## Investigation and Reproduction

Steps taken to understand and reproduce the issue: commands executed, test cases run, error messages, debugging approach, and root cause analysis. For features, describe requirement analysis and codebase exploration.

## Solution and Code Changes

High-level approach and rationale for the chosen solution. Specific modifications by file/component, including new functions, classes, or architectural decisions. Explain how changes work together if multiple files are involved.

## Testing and Verification

Description of how you ensure the patch fully resolves the issue, including new tests added (or test changes made) to verify correctness, how you ran existing tests to prevent regressions, and how comprehensive your testing process is (e.g., what edge cases you covered, how you validated correctness across different scenarios).
\`\`\`

Your primary objective is to ensure patch correctness above all else - thoroughly explore the codebase, think hard, and leverage significant execution to verify correctness by writing comprehensive tests to validate your solution and running existing tests to prevent regressions. Only submit when you are genuinely confident in your patch's correctness.

I've uploaded the corresponding code repository at {repo_root} and installed all the necessary dependencies. Now, the bash session has started, with the current working directory set to the repo root.`;

export const BUDGET_NOTICE_TEMPLATE = `<budget>
* Remaining turns: {remaining_turns}
* Remaining tokens: {remaining_tokens}
</budget>`;

export const SUBMISSION_FEEDBACK_PROMPT = `The following patch content is marked as your final submission:

<submission>
{pred_patch}
</submission>

Review the patch content and ensure it correctly resolves the issue. If necessary, you can continue refining the patch and submit an updated version.`;

export const FEEDBACK_OUTPUT_PROMPT = `<output>
{feedback}
</output>`;

export const DESCRIPTION = `You are a helpful AI assistant.`;

export const THINK_TAG_SYSTEM = `{description} You always reason before responding, using the following format:

<think>
your internal reasoning
</think>
your external response`;

export const THINK_TOKEN_SYSTEM = `{description} You always reason before responding.`;

export const ENV_PROMPT = `
# Environment

{environment}
`;

export const THINK_TAG_START = `<think>
`;

export const THINK_TAG_END = `</think>`;
