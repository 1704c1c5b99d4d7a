/**
 * The POSIX sh scripts file tools run in the container (through Sandbox.runTool, so
 * with a clean PATH and none of the agent's functions). They use only coreutils-level
 * commands (wc, head, sed, find, sort, mkdir, cat) found in Debian and busybox images.
 * The outcome is the exit code; file bytes or a size are on stdout.
 */
export const OUTCOME = {
  ok: 0,
  directory: 20,
  missing: 21,
  special: 22,
  tooLarge: 23,
  exists: 24,
  noParent: 25,
  writeFailed: 26,
} as const;

/** $1 path, $2 cap: the file's bytes (at most cap+1 of them), or why not. */
export const READ_SCRIPT = `p=$1; cap=$2
[ -e "$p" ] || exit 21
[ -d "$p" ] && exit 20
[ -f "$p" ] || exit 22
size=$(wc -c < "$p") || exit 1
[ "$size" -le "$cap" ] || { printf %s "$size"; exit 23; }
exec head -c "$((cap + 1))" "$p"`;

/**
 * $1 path, $2 size cap of a whole-file view, $3 first line, $4 last line (0: to the
 * end), $5 output cap. A directory is listed two levels deep, hidden entries left out.
 * A line range is cut by sed, so a file of any size costs the harvester at most $5 bytes.
 */
export const VIEW_SCRIPT = `p=$1; cap=$2; first=$3; last=$4; outcap=$5
[ -e "$p" ] || exit 21
if [ -d "$p" ]; then find "$p" -maxdepth 2 -not -path '*/.*' | sort | head -c "$outcap"; exit 20; fi
[ -f "$p" ] || exit 22
size=$(wc -c < "$p") || exit 1
if [ "$first" = 1 ] && [ "$last" = 0 ] && [ "$size" -gt "$cap" ]; then printf %s "$size"; exit 23; fi
if [ "$last" = 0 ]; then sed -n "$first,\\$p" "$p"; else sed -n "$first,\${last}p;\${last}q" "$p"; fi | head -c "$outcap"
exit 0`;

/** $1 path: its number of lines (a last line without a newline counts). */
export const COUNT_LINES_SCRIPT = `p=$1
n=$(wc -l < "$p") || exit 1
if [ -s "$p" ] && [ "$(tail -c 1 "$p" | wc -l)" -eq 0 ]; then n=$((n + 1)); fi
printf %s "$n"`;

/**
 * $1 path, $2 mode: stdin becomes the file's bytes, written in place (mode, owner and
 * links kept). `new` refuses an existing path, `edit` needs a regular file, `new`
 * and `overwrite` make the parent folders. Prints the size written.
 */
export const WRITE_SCRIPT = `p=$1; mode=$2
[ -d "$p" ] && exit 20
case $mode in
  new) if [ -e "$p" ] || [ -L "$p" ]; then exit 24; fi ;;
  edit) [ -f "$p" ] || exit 22 ;;
esac
if [ "$mode" != edit ]; then mkdir -p "$(dirname "$p")" || exit 25; fi
cat > "$p" || exit 26
wc -c < "$p"`;

/** A path the scripts can pass to any command: one starting with '-' is made ./-… */
export function safePath(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}
