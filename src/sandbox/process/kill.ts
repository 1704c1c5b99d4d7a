import { InfrastructureError } from '../../core/errors.js';
import type { BackendSandbox } from '../backend.js';
import { runOneShot } from './run.js';

/**
 * Bash (builtins only, no fork) that puts the children of a PID in `kids`: from the
 * kernel's `/proc/PID/task/TID/children` files where they exist, else (gVisor's /proc has
 * none) from every process's parent, field 4 of its /proc/PID/stat.
 */
const KIDS = `
kids_of() {
  local t k s p line rest
  kids=()
  if [ -e "/proc/$1/task/$1/children" ]; then
    for t in /proc/$1/task/*/children; do
      k=(); read -r -a k < "$t" 2>/dev/null
      kids+=("\${k[@]}")
    done
    return
  fi
  for s in /proc/[0-9]*/stat; do
    line=; read -r line < "$s" 2>/dev/null || continue
    rest=(\${line##*) })
    p=\${s#/proc/}; p=\${p%/stat}
    [ "\${rest[1]}" = "$1" ] && kids+=("$p")
  done
}`;

/** Bash (builtins only, no fork) that SIGKILLs the tree under a PID, stopping each first. */
const WALK = `${KIDS}
walk() {
  local c kids
  kill -STOP "$1" 2>/dev/null
  kids_of "$1"
  for c in "\${kids[@]}"; do walk "$c"; done
  kill -KILL "$1" 2>/dev/null
}`;

/**
 * The processes a sandbox's init started itself (its dead-man), read once at start before
 * anything else runs there: kills spare them by PID, never by what they call themselves.
 */
export async function initChildren(box: BackendSandbox): Promise<number[]> {
  const out = await runOneShot(box, ['/bin/bash', '--noprofile', '--norc', '-c', `${KIDS}\nkids_of 1; printf '%s\\n' "\${kids[@]}"; :`], { maxBytes: 4096 });
  return out.stdout.toString('latin1').split('\n').filter((s) => /^\d+$/.test(s)).map(Number);
}

/**
 * SIGKILL the process trees the session `pid` started at or after `sinceTicks` (the
 * kernel's clock ticks since boot, as /proc/PID/stat field 22 counts them): the command
 * that overran, whatever it forked. Older children of the session (background jobs of
 * earlier steps) are spared. Without `sinceTicks` every child goes. Works without procps
 * and without forking, so a fork bomb cannot stop it.
 */
export async function killTree(box: BackendSandbox, pid: number, sinceTicks?: number): Promise<void> {
  const since = sinceTicks === undefined ? -1 : Math.max(0, sinceTicks);
  await runKiller(box, `${WALK}
since=${since}
kids_of ${pid}
for c in "\${kids[@]}"; do
  if [ "$since" -ge 0 ]; then
    stat=; read -r stat < "/proc/$c/stat" 2>/dev/null || continue
    rest=(\${stat##*) })
    [ "\${rest[19]:-0}" -lt "$since" ] && continue
  fi
  walk "$c"
done`);
}

/**
 * SIGKILL every process in the sandbox but PID 1 and `spare` (the dead-man, and the
 * session when it is to survive): a fork bomb's processes, or everything the agent
 * started. Returns how many were killed.
 */
export async function killAllBut(box: BackendSandbox, spare: number[]): Promise<number> {
  // Collect first, then stop them all, then kill: nothing stopped can fork again. Three
  // rounds: what forked between the listing and the stop is caught by the next.
  const out = await runKiller(box, `
total=0
for round in 1 2 3; do
victims=()
for p in /proc/[0-9]*; do
  pid=\${p#/proc/}
  case " 1 $$ ${spare.join(' ')} " in *" $pid "*) continue;; esac
  victims+=("$pid")
done
[ \${#victims[@]} -eq 0 ] && break
kill -STOP "\${victims[@]}" 2>/dev/null
kill -KILL "\${victims[@]}" 2>/dev/null
total=$((total + \${#victims[@]}))
done
printf '%d' "$total"`);
  return Number.parseInt(out, 10) || 0;
}

/** What a kill script prints last: without it the script never ran (every PID taken: the backend could not start it). */
const DONE = 'forager-killer-done';

/** Run a kill script; when it cannot start because every PID is taken, lend the sandbox a few for it and take them back. */
async function runKiller(box: BackendSandbox, script: string): Promise<string> {
  const argv = ['/bin/bash', '--noprofile', '--norc', '-c', `${script}\nprintf '\\n%s' ${DONE}`];
  const once = async (): Promise<string | undefined> => {
    const out = (await runOneShot(box, argv, { maxBytes: 4096 })).stdout.toString('latin1');
    return out.endsWith(`\n${DONE}`) ? out.slice(0, -DONE.length - 1) : undefined;
  };
  const first = await once().catch(() => undefined);
  if (first !== undefined) return first;
  if (!box.lendPids) throw new InfrastructureError('KILL_FAILED', 'the kill script could not start in the sandbox (every PID taken?) and the backend cannot lend PIDs', { context: { sandbox: box.id } });
  const restore = await box.lendPids(16);
  try {
    const second = await once();
    if (second === undefined) throw new InfrastructureError('KILL_FAILED', 'the kill script could not start in the sandbox even with PIDs lent', { context: { sandbox: box.id } });
    return second;
  } finally {
    await restore();
  }
}
