import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import type { LayerView } from '../backend.js';
import type { RawChange, StateReading } from '../state.js';

/** Most entries of the upper directory a snapshot keeps (memory stays bounded: ~100 bytes each). */
export const MAX_SNAPSHOT_ENTRIES = 100_000;
/** Most lower-layer files listed as deleted under one deleted directory. */
const MAX_EXPANDED = 20_000;

/** What one entry looked like: kind (f file, l link, d dir, w whiteout), size, mtime, inode. */
type Signature = string;

export interface UpperSnapshot {
  entries: Map<string, Signature>;
  /** The walk stopped at MAX_SNAPSHOT_ENTRIES. */
  truncated: boolean;
  /** Disk the upper directory holds (allocated blocks), in bytes. */
  bytes: number;
}

/**
 * Reads what each step changed from the container's writable layer, from the host: the
 * upper directory holds exactly what changed since the container started (deletions as
 * 0:0 character-device whiteouts). Its cost follows the size of that layer, not of the
 * image: a 100k-file repository that the agent does not touch costs nothing.
 */
export class OverlayStateReader {
  private previous: UpperSnapshot | undefined;

  constructor(private readonly dirs: LayerView) {}

  /** Take the baseline if there is none yet (before the first tracked command). */
  prime(): void {
    this.previous ??= this.snapshot();
  }

  /** Changes since the previous reading (or the baseline), and the layer's size. */
  read(): StateReading & { bytes: number } {
    const now = this.snapshot();
    const before = this.previous ?? { entries: new Map(), truncated: false, bytes: 0 };
    this.previous = now;
    const changes: RawChange[] = [];
    let omitted = 0;
    const newDirs: string[] = [];
    for (const [path, sig] of now.entries) {
      const old = before.entries.get(path);
      if (old === sig) continue;
      const kind = sig[0];
      if (kind === 'd') {
        if (old === undefined || old[0] !== 'd') newDirs.push(path);
        continue;
      }
      if (kind === 'w') {
        if (old !== undefined && old[0] === 'w') continue;
        omitted += this.pushDeleted(path, changes);
        continue;
      }
      if (old === undefined) {
        const lower = this.lowerSignature(path);
        if (lower === undefined) changes.push({ path, change: 'added', size: sizeOf(sig) });
        // A copy-up that kept size and mtime (chmod, open for writing) is not a change of content.
        else if (!sameContent(lower, sig)) changes.push({ path, change: 'modified', size: sizeOf(sig) });
        continue;
      }
      if (old[0] === 'w' || old[0] === 'd') {
        changes.push({ path, change: 'added', size: sizeOf(sig) });
        continue;
      }
      changes.push({ path, change: 'modified', size: sizeOf(sig) });
    }
    if (!now.truncated) {
      // Gone from the upper directory: it was added by an earlier step and removed since.
      for (const [path, sig] of before.entries) {
        if (!now.entries.has(path) && sig[0] !== 'd' && sig[0] !== 'w') changes.push({ path, change: 'deleted' });
      }
    }
    // A folder of the image removed and made again is opaque: the image's files in it that
    // the upper layer does not hold again are gone.
    for (const dir of opaqueDirs(this.dirs.upper, newDirs.filter((d) => this.lowerSignature(d)?.[0] === 'd'))) {
      omitted += this.pushDeleted(dir, changes, (path) => now.entries.has(path));
    }
    return { changes, incomplete: now.truncated || before.truncated, omitted, bytes: now.bytes };
  }

  /** Disk the writable layer holds now, in bytes (a walk bounded like a snapshot). */
  size(): number {
    return this.snapshot(false).bytes;
  }

  private snapshot(keep = true): UpperSnapshot {
    const entries = new Map<string, Signature>();
    let bytes = 0;
    let count = 0;
    let truncated = false;
    const stack = [''];
    while (stack.length > 0) {
      const rel = stack.pop()!;
      let names: string[];
      try {
        names = readdirSync(this.dirs.upper + rel);
      } catch {
        continue; // removed while we walked: the next reading sees it
      }
      for (const name of names) {
        if (count >= MAX_SNAPSHOT_ENTRIES) {
          truncated = true;
          break;
        }
        const path = `${rel}/${name}`;
        let st: Stats;
        try {
          st = lstatSync(this.dirs.upper + path);
        } catch {
          continue;
        }
        count += 1;
        bytes += st.blocks * 512;
        const sig = signature(st);
        if (keep) entries.set(path, sig);
        if (sig[0] === 'd') stack.push(path);
      }
      if (truncated) break;
    }
    return { entries, truncated, bytes };
  }

  /** The path as the image had it, from the topmost lower layer that has it. */
  private lowerSignature(path: string): Signature | undefined {
    for (const lower of this.dirs.lowers) {
      try {
        const sig = signature(lstatSync(lower + path));
        return sig[0] === 'w' ? undefined : sig;
      } catch {
        // not in this layer
      }
    }
    return undefined;
  }

  /** A whiteout: the file, or every file of the directory, the image had there. */
  private pushDeleted(path: string, changes: RawChange[], stillThere: (path: string) => boolean = () => false): number {
    const lower = this.lowerSignature(path);
    if (lower === undefined || lower[0] !== 'd') {
      changes.push({ path, change: 'deleted' });
      return 0;
    }
    const seen = new Set<string>();
    let omitted = 0;
    for (const layer of this.dirs.lowers) {
      const stack = [path];
      while (stack.length > 0) {
        const dir = stack.pop()!;
        let names: string[];
        try {
          names = readdirSync(layer + dir);
        } catch {
          continue;
        }
        for (const name of names) {
          const child = `${dir}/${name}`;
          if (seen.has(child)) continue;
          seen.add(child);
          let st: Stats;
          try {
            st = lstatSync(layer + child);
          } catch {
            continue;
          }
          if (st.isDirectory()) stack.push(child);
          else if (!isWhiteout(st) && !stillThere(child)) {
            if (seen.size > MAX_EXPANDED) omitted += 1;
            else changes.push({ path: child, change: 'deleted' });
          }
        }
      }
    }
    return omitted;
  }
}

/**
 * Which of these upper-layer folders carry the overlay's opaque mark (xattr
 * trusted.overlay.opaque = y). Node reads no xattrs: a python3 on the host does, when
 * there is one; without it no folder is taken for opaque (documented).
 */
function opaqueDirs(upper: string, dirs: string[]): string[] {
  if (dirs.length === 0) return [];
  const script = 'import json,os,sys\nout=[]\nfor p in json.load(sys.stdin):\n  try:\n    v=os.getxattr(sys.argv[1]+p,"trusted.overlay.opaque")\n  except OSError:\n    continue\n  if v==b"y": out.append(p)\nprint(json.dumps(out))';
  const result = spawnSync('python3', ['-c', script, upper], { input: JSON.stringify(dirs.slice(0, 10_000)), encoding: 'utf8', timeout: 10_000, maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) return [];
  try {
    return JSON.parse(result.stdout) as string[];
  } catch {
    return [];
  }
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function signature(st: Stats): Signature {
  const kind = isWhiteout(st) ? 'w' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f';
  return `${kind}|${st.size}|${st.mtimeMs}|${st.ino}`;
}

function sizeOf(sig: Signature): number {
  return Number(sig.split('|')[1]);
}

/** Same size and mtime (the inode differs after a copy-up). */
function sameContent(a: Signature, b: Signature): boolean {
  const [ka, sa, ma] = a.split('|');
  const [kb, sb, mb] = b.split('|');
  return ka === kb && sa === sb && ma === mb;
}
