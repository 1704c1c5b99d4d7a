import { tailLines } from './docker-build.js';

/**
 * What a network or package-mirror hiccup prints in a failed build (apt, curl, git, pip,
 * the engine's own fetches). A build that fails with one of these in its last lines is
 * worth another try: the Dockerfile is not at fault.
 */
const TRANSIENT_PATTERNS: readonly RegExp[] = [
  /Temporary failure resolving/i, // apt: DNS hiccup
  /Temporary failure in name resolution/i, // curl, git, pip: DNS hiccup
  /Could not connect to/i, // apt: mirror unreachable
  /Could not resolve host/i, // curl, git
  /Connection timed out/i,
  /Connection reset by peer/i,
  /Network is unreachable/i,
  /Hash Sum mismatch/i, // apt: a mirror caught mid-sync
  /Failed to fetch .*\b(?:5\d\d|Connection|timed out|Temporary)/i, // apt: a mirror's 5xx or connection failure
  /\b(?:502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b/i,
  /TLS handshake timeout/i,
  /i\/o timeout/i,
  /unexpected EOF/i, // a download cut off
];

/** Lines of the log's end that are searched: a hiccup is what ended the build, not old noise. */
const TAIL_LINES = 40;

/** Whether a failed build failed on a transient network or mirror problem (its error and the end of its log). */
export function isTransientBuildFailure(error: string, log: string): boolean {
  const text = `${tailLines(log, TAIL_LINES)}\n${error}`;
  return TRANSIENT_PATTERNS.some((pattern) => pattern.test(text));
}
