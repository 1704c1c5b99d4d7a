export { ShellSession, ShellStartError, type ShellRunOptions, type ShellRunResult } from './shell-session.js';
export type { SessionStreams, SessionTransport, StreamsKind } from './transport.js';
export { quoteAnsiC, stepScript, parseTrailer, parseHello, TRAILER_CAP, CWD_CAP, type SessionChild, type Trailer } from './protocol.js';
export { openSession, openTransport, type OpenSessionOptions } from './open.js';
