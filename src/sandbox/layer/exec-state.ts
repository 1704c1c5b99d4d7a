import { shellQuote } from '../../core/quote.js';
import type { BackendSandbox } from '../backend.js';
import { runOneShot } from '../process/run.js';
import { decodePath, type RawChange, type StateReading } from '../state.js';

/** Most bytes of a change listing read back from the container per step. */
export const MAX_LISTING_BYTES = 1024 * 1024;
const STATE_DIR = '/dev/shm/.forager-state';

/**
 * The state reader for engines whose layers this process cannot read (a remote engine, or
 * not root): a separate exec, never the agent's session, with an empty environment and
 * absolute paths, lists every file with its size and mtime, keeps the listing in a
 * tmpfs outside the writable layer, and prints only the difference from the previous
 * listing, bounded. Slower than the host reader (it walks the file system), but off the
 * agent's clock and beyond its shell's reach.
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
    const { stdout, truncated } = await this.list();
    return { ...parseComm(stdout, truncated), omitted: 0 };
  }

  private async list(): Promise<{ stdout: Buffer; truncated: boolean }> {
    const script = [
      `d=${STATE_DIR}`,
      'umask 077; /bin/mkdir -p "$d" || exit 3',
      this.roots
        ? `/usr/bin/find ${this.roots.map(shellQuote).join(' ')} -xdev \\( -type f -o -type l \\) -printf '%p\\t%s:%T@\\0' 2>/dev/null | LC_ALL=C /usr/bin/sort -z > "$d/now"`
        : "/usr/bin/find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /etc/hostname -o -path /etc/hosts -o -path /etc/resolv.conf \\) -prune -o \\( -type f -o -type l \\) -printf '%p\\t%s:%T@\\0' 2>/dev/null | LC_ALL=C /usr/bin/sort -z > \"$d/now\"",
      `if [ -f "$d/prev" ]; then LC_ALL=C /usr/bin/comm -z -3 "$d/prev" "$d/now" | /usr/bin/head -c ${MAX_LISTING_BYTES + 1}; fi`,
      '/bin/mv -f "$d/now" "$d/prev"',
    ].join('\n');
    const { stdout } = await runOneShot(this.box, ['/usr/bin/env', '-i', '/bin/sh', '-c', script], { maxBytes: MAX_LISTING_BYTES + 1 });
    return { stdout: stdout.subarray(0, MAX_LISTING_BYTES), truncated: stdout.length > MAX_LISTING_BYTES };
  }
}

/**
 * `comm -3` of two sorted listings: a record only in the old one (no prefix) or only in
 * the new one (one tab before it). A path in both with different size or mtime was modified.
 * Paths are bytes: one that is not UTF-8 is recorded escaped, with its bytes kept.
 */
export function parseComm(listing: Buffer, truncated: boolean): { changes: RawChange[]; incomplete: boolean } {
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
  for (const [key, { bytes, sig }] of after) {
    changes.push({ ...decodePath(bytes), change: before.has(key) ? 'modified' : 'added', size: Number(sig.split(':')[0]) });
  }
  for (const [key, { bytes }] of before) {
    if (!after.has(key)) changes.push({ ...decodePath(bytes), change: 'deleted' });
  }
  return { changes, incomplete: truncated || start < listing.length };
}
