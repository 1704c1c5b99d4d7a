/**
 * The bash-session protocol, independent of how bytes reach the shell: how one command is
 * framed, and how its trailer (exit code, working directory) is read back.
 *
 * Why it is shaped this way (see docs/sandbox.md, "What the shell cannot forge"):
 * - the command travels as an ANSI-C quoted word (`$'…'`) handed to `\eval`: no `read`,
 *   no variable the agent could have made readonly, no alias (the word is quoted); bash
 *   is put in POSIX mode (an assignment) first, so `eval`, a special builtin, is found
 *   before any function named so; the eval'd text leaves POSIX mode and restores `$?`
 *   before the agent's command;
 * - `$?` is taken by an assignment to a per-step random name, the first thing a subshell
 *   does (assignments and `$?` cannot be redefined);
 * - the subshell switches bash to POSIX mode by assignment, where the special builtin
 *   `exec` is found before any function, and checks that it did through `$SHELLOPTS`
 *   (the command word becomes `$`, which no function can be named, if it did not);
 * - `exec -c /bin/sh` starts a fresh dash with an empty environment, which prints the
 *   trailer in one write: the exit code it was handed and its physical working directory
 *   (`cd -P .`, from the kernel, not `$PWD`), then exits with the code so `$?` carries over.
 * The subshell's own stdout and stderr go to /dev/null (xtrace, DEBUG traps); the trailer
 * reaches the real streams through fds 3 and 4.
 */

/** Most bytes read after a command's stdout marker (exit code, cwd, end marker). */
export const TRAILER_CAP = 16 * 1024;
/** Longest working directory kept; longer ones are cut and flagged. */
export const CWD_CAP = 4096;

export interface StepMarkers {
  out: Buffer;
  end: Buffer;
  err: Buffer;
}

export function stepMarkers(nonce: string): StepMarkers {
  return { out: Buffer.from(`\x1e${nonce}O`), end: Buffer.from(`\x1e${nonce}E`), err: Buffer.from(`\x1e${nonce}R`) };
}

/**
 * Bash's `$'…'` quoting of arbitrary bytes: printable ASCII as is, everything else as
 * `\xHH`. NUL bytes cannot live in a bash string and are dropped.
 */
export function quoteAnsiC(bytes: Buffer): string {
  let out = "$'";
  let run = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i]!;
    if (b >= 0x20 && b <= 0x7e && b !== 0x27 && b !== 0x5c) continue;
    out += bytes.toString('latin1', run, i);
    if (b !== 0) out += `\\x${b.toString(16).padStart(2, '0')}`;
    run = i + 1;
  }
  return `${out}${bytes.toString('latin1', run)}'`;
}

/**
 * The line written to the session for one command. `nonce` is hex, fresh per command;
 * `previousExit` is what `$?` shows the command (the previous command's exit code).
 */
export function stepScript(nonce: string, command: Buffer, previousExit = 0): string {
  const ec = `__forager_ec_${nonce}`;
  const word = `__forager_w_${nonce}`;
  const trailer = [
    'p=; cd -P . 2>/dev/null && p=$PWD',
    `printf "\\036${nonce}O%s\\000%s\\036${nonce}E" "$1" "$p" >&3`,
    `printf "\\036${nonce}R" >&4`,
    'exit "$1"',
  ].join('; ');
  return [
    `POSIXLY_CORRECT=y; \\eval ${quoteAnsiC(Buffer.concat([Buffer.from(`\\unset POSIXLY_CORRECT; __forager_return ${previousExit & 255} 2>/dev/null\n`), command]))} </dev/null; `,
    `( ${ec}=$?; POSIXLY_CORRECT=y; ${word}=$SHELLOPTS; ${word}=\${${word}/*posix*/exec}; ${word}=\${${word}/*:*/\\$}; `,
    `"$${word}" -c /bin/sh -c '${trailer}' sh "$${ec}" ) 3>&1 4>&2 >/dev/null 2>&1\n`,
  ].join('');
}

export interface Trailer {
  exitCode: number | null;
  cwd: string | null;
  cwdTruncated: boolean;
}

/** Read `<exit code>\0<cwd>` (what came between the stdout marker and the end marker). */
export function parseTrailer(body: Buffer): Trailer {
  const nul = body.indexOf(0);
  if (nul < 0) return { exitCode: null, cwd: null, cwdTruncated: false };
  const digits = body.subarray(0, nul).toString('latin1');
  const exitCode = /^\d{1,3}$/.test(digits) ? Number(digits) : null;
  const raw = body.subarray(nul + 1);
  if (raw.length === 0) return { exitCode, cwd: null, cwdTruncated: false };
  const cwdTruncated = raw.length > CWD_CAP;
  return { exitCode, cwd: raw.subarray(0, CWD_CAP).toString('utf8'), cwdTruncated };
}
