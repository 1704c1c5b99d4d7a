import { shellQuote } from '../../core/quote.js';
import type { BackendSandbox } from '../backend.js';
import { runOneShot } from '../process/run.js';
import { decodePath, type RawChange, type StateReading } from '../state.js';

/** Most bytes of a change listing read back from the container per step. */
export const MAX_LISTING_BYTES = 1024 * 1024;
const STATE_DIR = '/dev/shm/.forager-state';
/** A listing's record: path, tab, size:mtime (find's seconds with their fraction). */
const RECORD = '%p\\t%s:%T@\\0';
/** The first record of a difference: when the previous listing started. Paths begin with '/'. */
const SINCE = '#since\t';

/**
 * The state reader for engines whose layers this process cannot read (a remote engine, or
 * not root): a separate exec, never the agent's session, with an empty environment and
 * absolute paths, lists every file with its size and mtime, keeps the listing in a
 * tmpfs outside the writable layer, and prints only the difference from the previous
 * listing, bounded, after the time the previous listing started (the ctime of a marker
 * file made then, in the sandbox's own clock: see unchangedSince). Slower than the host reader (it walks the
 * file system), but off the agent's clock and beyond its shell's reach.
 */
export class ExecStateReader {
  private primed = false;

  /** `roots`: list only these file systems (each walked without crossing into another); default the whole tree. */
  constructor(private readonly box: BackendSandbox, private readonly roots?: string[]) {}

  async prime(): Promise<void> {
    if (this.primed) return;
    await this.list();
    this.primed = true;
  }

  async read(): Promise<StateReading> {
    if (!this.primed) {
      await this.prime();
      return { changes: [], incomplete: false, omitted: 0 };
    }
    const { stdout, truncated, since } = await this.list();
    const listed = parseComm(stdout, truncated);
    const reread = since === undefined ? new Set<string>() : await this.unchangedSince(listed.touched, since);
    return { changes: listed.changes.filter((c) => !reread.has(c.pathBytes ?? c.path)), incomplete: listed.incomplete, omitted: 0 };
  }

  /**
   * Of files whose mtime alone moved, those nothing was done to since the previous listing
   * began: a ctime no later than that means their mtime was only read again differently.
   * gVisor does that: a file written through it has its own kernel's mtime until its cached
   * entry is dropped, then the host's (~2 ms apart, measured), so a file written in one step
   * would show as modified again in a later one. A write, touch or chmod since sets the
   * ctime, which no one can set back. Asked only for such files, by a second exec.
   */
  private async unchangedSince(touched: RawChange[], since: bigint): Promise<Set<string>> {
    if (touched.length === 0) return new Set();
    const paths = touched.map((c) => (c.pathBytes ? Buffer.from(c.pathBytes, 'base64') : Buffer.from(c.path)));
    const { stdout } = await runOneShot(this.box, ['/usr/bin/env', '-i', '/usr/bin/xargs', '-0', '/bin/sh', '-c', "/usr/bin/find \"$@\" -maxdepth 0 -printf '%p\\t%C@\\0' 2>/dev/null; :", 'forager-ctime'], {
      stdinData: Buffer.concat(paths.flatMap((p) => [p, Buffer.from([0])])),
      maxBytes: MAX_LISTING_BYTES,
    });
    const unchanged = new Set<string>();
    for (const record of splitRecords(stdout)) {
      const at = record.lastIndexOf(9);
      const ctime = at > 0 ? nanosOf(record.subarray(at + 1).toString('latin1')) : undefined;
      if (ctime === undefined || ctime > since) continue;
      const { path, pathBytes } = decodePath(record.subarray(0, at));
      unchanged.add(pathBytes ?? path);
    }
    return unchanged;
  }

  private async list(): Promise<{ stdout: Buffer; truncated: boolean; since?: bigint }> {
    const script = [
      `d=${STATE_DIR}`,
      'umask 077; /bin/mkdir -p "$d" || exit 3',
      // This listing's start, as a file's ctime in the clock the listed files' ctimes are in.
      '/bin/rm -f "$d/mark.new"; : > "$d/mark.new" || exit 3',
      this.roots
        ? `/usr/bin/find ${this.roots.map(shellQuote).join(' ')} -xdev \\( -type f -o -type l \\) -printf '${RECORD}' 2>/dev/null | LC_ALL=C /usr/bin/sort -z > "$d/now"`
        : `/usr/bin/find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /etc/hostname -o -path /etc/hosts -o -path /etc/resolv.conf \\) -prune -o \\( -type f -o -type l \\) -printf '${RECORD}' 2>/dev/null | LC_ALL=C /usr/bin/sort -z > "$d/now"`,
      `if [ -f "$d/prev" ]; then /usr/bin/find "$d/mark" -maxdepth 0 -printf '${SINCE}%C@\\0' 2>/dev/null; LC_ALL=C /usr/bin/comm -z -3 "$d/prev" "$d/now" | /usr/bin/head -c ${MAX_LISTING_BYTES + 1}; fi`,
      '/bin/mv -f "$d/now" "$d/prev"; /bin/mv -f "$d/mark.new" "$d/mark"',
    ].join('\n');
    const { stdout } = await runOneShot(this.box, ['/usr/bin/env', '-i', '/bin/sh', '-c', script], { maxBytes: MAX_LISTING_BYTES + 64 });
    let listing = stdout;
    let since: bigint | undefined;
    if (listing.subarray(0, SINCE.length).toString('latin1') === SINCE) {
      const end = listing.indexOf(0);
      since = end > 0 ? nanosOf(listing.subarray(SINCE.length, end).toString('latin1')) : undefined;
      listing = end > 0 ? listing.subarray(end + 1) : Buffer.alloc(0);
    }
    return { stdout: listing.subarray(0, MAX_LISTING_BYTES), truncated: listing.length > MAX_LISTING_BYTES, since };
  }
}

/**
 * `comm -3` of two sorted listings: a record only in the old one (no prefix) or only in
 * the new one (one tab before it). A path in both with different size or mtime was modified;
 * `touched` are those whose size stayed (their mtime alone moved).
 * Paths are bytes: one that is not UTF-8 is recorded escaped, with its bytes kept.
 */
export function parseComm(listing: Buffer, truncated: boolean): { changes: RawChange[]; touched: RawChange[]; incomplete: boolean } {
  const before = new Map<string, { bytes: Buffer; sig: string }>();
  const after = new Map<string, { bytes: Buffer; sig: string }>();
  let start = 0;
  // Without a final NUL the last record was cut by the bound: it is left out (and `incomplete` says so).
  for (let end = listing.indexOf(0, start); end >= 0; end = listing.indexOf(0, start)) {
    const record = listing.subarray(start, end);
    start = end + 1;
    const isNew = record[0] === 9;
    const body = isNew ? record.subarray(1) : record;
    const at = body.lastIndexOf(9);
    if (at < 0) continue;
    const bytes = body.subarray(0, at);
    (isNew ? after : before).set(bytes.toString('latin1'), { bytes, sig: body.subarray(at + 1).toString('latin1') });
  }
  const changes: RawChange[] = [];
  const touched: RawChange[] = [];
  for (const [key, { bytes, sig }] of after) {
    const size = Number(sig.split(':')[0]);
    const old = before.get(key);
    const change: RawChange = { ...decodePath(bytes), change: old ? 'modified' : 'added', size };
    changes.push(change);
    if (old && Number(old.sig.split(':')[0]) === size) touched.push(change);
  }
  for (const [key, { bytes }] of before) {
    if (!after.has(key)) changes.push({ ...decodePath(bytes), change: 'deleted' });
  }
  return { changes, touched, incomplete: truncated || start < listing.length };
}

/** NUL-ended records; a last one without its NUL (cut by a bound) is left out. */
function splitRecords(data: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  for (let end = data.indexOf(0, start); end >= 0; end = data.indexOf(0, start)) {
    records.push(data.subarray(start, end));
    start = end + 1;
  }
  return records;
}

/** find's `%T@` / `%C@` (seconds, a fraction of up to 10 digits) as nanoseconds; undefined when it is not that. */
export function nanosOf(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  return BigInt(match[1]!) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9));
}
