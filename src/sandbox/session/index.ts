export { ShellSession, type ShellRunOptions, type ShellRunResult } from './shell-session.js';
export type { SessionTransport } from './transport.js';
export { quoteAnsiC, stepScript, parseTrailer, TRAILER_CAP, CWD_CAP } from './protocol.js';
export { openSession, openTransport, type OpenSessionOptions } from './open.js';
