/**
 * The bash-session protocol, independent of how bytes reach the shell: what is written to
 * the agent's bash for one command, and how the helper's report of it is read back.
 *
 * Two processes take part (see docs/sandbox.md, "What the shell cannot forge"): the agent's
 * bash, and its parent, a helper that never runs agent code (scripts/session-helper.pl, or
 * .sh without perl). The step's streams are the helper's stdout and stderr; bash holds them
 * on fds 250 and 251 and keeps its own fds 1 and 2 on /dev/null, so whatever bash prints
 * outside the command (a DEBUG or ERR trap run for the wrapper, xtrace or `set -v` echoes of
 * it) goes nowhere. Per command, two lines (the perl helper times the step from when it
 * passes them on; the bash helper needs a start report, `|N S $EPOCHREALTIME|`, before eval):
 *
 *   \eval $'CMD' </dev/null 1>&250 2>&251 250>&- 251>&- 252>&-
 *   if { \:; } 2>&252 <"/proc/self/stat/|N E $?|"; then \:; fi
 *
 * - The reports to the helper (fd 252) are the error message of opening a path under
 *   /proc/self/stat, a file, which always fails (ENOTDIR, whatever the agent did to the file
 *   system): no command runs, so no function, alias, disabled builtin or trap takes part.
 *   `if`, `{ }` and a failed redirection are not simple commands: no DEBUG trap runs for
 *   them, an `if` condition never triggers ERR or `set -e`, and the nonce never appears in
 *   `$BASH_COMMAND`. The quoted `\:` is never run (its redirections fail first).
 * - The command is one ANSI-C quoted word handed to `eval`, with /dev/null as stdin (it cannot
 *   read the session's input) and the real streams on fds 1 and 2; syntax errors stay inside
 *   the eval. The end report is a line of its own, so an error that makes bash discard the
 *   rest of a line (`declare -i n; n=1+`) cannot lose it.
 * - `$?` at the start of a command is 0, as in CWM's session (the previous status is in the
 *   previous step's record).
 * - The helper answers the end report with markers that carry its own 128-bit secret, which
 *   bash never holds: `\x1e S N R` on stderr, then on stdout `\x1e S N O` status NUL cwd NUL
 *   microseconds NUL children `\x1e S N E`. The cwd is the kernel's (/proc/PID/cwd), the time
 *   is the sandbox's own clock (untouched by the harvester's load), the children
 *   (`pid:starttime`) are the background jobs the next step's timeout must spare.
 * - When bash exits the helper writes `\x1e S X code \x1e` on both streams and exits.
 */

/** Most bytes read after a stream's marker: status, cwd, time, up to 4096 children. */
export const TRAILER_CAP = 96 * 1024;
/** Longest working directory kept; longer ones are cut and flagged. */
export const CWD_CAP = 4096;
/** The fds bash keeps the step's stdout and stderr and its reports on. */
const OUT_FD = 250;
const ERR_FD = 251;
const REPORT_FD = 252;

/** How one command is framed. */
export interface StepOptions {
  /** stderr goes to stdout's pipe: one stream in the kernel's order, as CWM's `2>&1` shell gives. */
  mergeStderr?: boolean;
  /**
   * Which helper reads the reports: the perl helper passes the lines on to bash and times the
   * step itself; the bash helper cannot (it reads one pipe), so bash reports the start too,
   * with its own clock in both reports.
   */
  helper: 'perl' | 'bash';
}

/**
 * Bash's `$'…'` quoting of arbitrary bytes: printable ASCII as is, everything else as
 * `\xHH`; `!` is escaped too, so history expansion (`set -H`) never sees one. NUL bytes
 * cannot live in a bash string and are dropped.
 */
export function quoteAnsiC(bytes: Buffer): string {
  let out = "$'";
  let run = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i]!;
    if (b >= 0x20 && b <= 0x7e && b !== 0x27 && b !== 0x5c && b !== 0x21) continue;
    out += bytes.toString('latin1', run, i);
    if (b !== 0) out += `\\x${b.toString(16).padStart(2, '0')}`;
    run = i + 1;
  }
  return `${out}${bytes.toString('latin1', run)}'`;
}

/** A report to the helper: the error message of a redirection that always fails. */
function report(body: string): string {
  return `if { \\:; } 2>&${REPORT_FD} <"/proc/self/stat/|${body}|"; then \\:; fi`;
}

/** The two lines written to bash for one command; `nonce` is fresh hex per command. */
export function stepScript(nonce: string, command: Buffer, options: StepOptions): string {
  const stderr = options.mergeStderr ? OUT_FD : ERR_FD;
  const run = `\\eval ${quoteAnsiC(command)} </dev/null 1>&${OUT_FD} 2>&${stderr} ${OUT_FD}>&- ${ERR_FD}>&- ${REPORT_FD}>&-`;
  if (options.helper === 'perl') return `${run}\n${report(`${nonce}E$?`)}\n`;
  return `${report(`${nonce}S\${EPOCHREALTIME-}`)}; ${run}\n${report(`${nonce}E$?|\${EPOCHREALTIME-}`)}\n`;
}

/** A process the session's shell had when the last command ended: a background job to spare. */
export interface SessionChild {
  pid: number;
  /** Its start, in clock ticks since boot (/proc/PID/stat field 22): with the PID, it names one process. */
  startTicks: number;
}

export interface Trailer {
  exitCode: number | null;
  cwd: string | null;
  cwdTruncated: boolean;
  /** The command's time by the sandbox's clock, when the shell's clock could be read. */
  durationMs: number | null;
  children: SessionChild[];
}

/** Read `status NUL cwd NUL microseconds NUL children` (what came between `O` and the end marker). */
export function parseTrailer(body: Buffer): Trailer {
  const fields: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < 3; i += 1) {
    const nul = body.indexOf(0, from);
    if (nul < 0) return { exitCode: null, cwd: null, cwdTruncated: false, durationMs: null, children: [] };
    fields.push(body.subarray(from, nul));
    from = nul + 1;
  }
  fields.push(body.subarray(from));
  const [status, rawCwd, micros, kids] = fields as [Buffer, Buffer, Buffer, Buffer];
  const digits = status.toString('latin1');
  const exitCode = /^\d{1,3}$/.test(digits) ? Number(digits) : null;
  const time = micros.toString('latin1');
  const durationMs = /^\d{1,15}$/.test(time) ? Number(time) / 1000 : null;
  const children: SessionChild[] = [];
  for (const entry of kids.toString('latin1').split(' ')) {
    const match = /^(\d{1,10}):(\d{1,20})$/.exec(entry);
    if (match) children.push({ pid: Number(match[1]), startTicks: Number(match[2]) });
  }
  const cwdTruncated = rawCwd.length > CWD_CAP;
  const cwd = rawCwd.length === 0 ? null : rawCwd.subarray(0, CWD_CAP).toString('utf8');
  return { exitCode, cwd, cwdTruncated, durationMs, children };
}

/** What the helper says first: its secret, the shell's PID, which helper it is and its own PID. */
export interface Hello {
  secret: string;
  pid: number;
  helper: 'perl' | 'bash';
  helperPid: number;
}

/** The hello line (`\x1eFORAGER-SESSION secret pid kind helperpid`), or null while it is not complete. */
export function parseHello(text: string): Hello | null {
  const match = /\x1eFORAGER-SESSION ([0-9a-f]{32}) (\d+) (perl|bash) (\d+)\n/.exec(text);
  return match ? { secret: match[1]!, pid: Number(match[2]), helper: match[3] as 'perl' | 'bash', helperPid: Number(match[4]) } : null;
}
