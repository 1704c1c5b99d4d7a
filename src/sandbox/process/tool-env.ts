/** The environment of every tool process: fixed, whatever the agent exported in its shell. */
export const TOOL_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C'];
