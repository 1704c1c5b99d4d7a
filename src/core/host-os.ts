import { readFileSync } from 'node:fs';

/** Fields of an os-release file (`KEY=value` lines, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) fields[match[1]] = match[2].replace(/^["']|["']$/g, '');
  }
  return fields;
}

/** Whether an os-release describes Debian, Ubuntu or a derivative of either. */
export function isDebianLike(osRelease: Record<string, string>): boolean {
  const ids = [osRelease.ID ?? '', ...(osRelease.ID_LIKE ?? '').split(/\s+/)];
  return ids.some((id) => id === 'debian' || id === 'ubuntu');
}

/** This machine's os-release, or an empty record where there is none (macOS, Windows). */
export function readOsRelease(path = '/etc/os-release'): Record<string, string> {
  try {
    return parseOsRelease(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/** A one-line name for messages: "Debian GNU/Linux 12 (bookworm)", or the platform. */
export function describeOs(osRelease: Record<string, string>): string {
  return osRelease.PRETTY_NAME ?? osRelease.ID ?? process.platform;
}

/** A pid file that names a live process (a service that may just be slow to answer). */
export function isPidFileAlive(pidFile: string): boolean {
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log file, for an error message; `(no log)` when it cannot be read. */
export function readLogTail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
