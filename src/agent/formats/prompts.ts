/** The first user message every format starts from: the task, then where the code is. */
export const DEFAULT_USER_PROMPT = `{{instruction}}

The code is at {{workdir}}, which is the bash session's working directory.`;
