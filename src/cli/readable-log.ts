import pino, { type Logger } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

/** One pino JSON line as `12:00:01 WARN message key=value …`, for people reading stderr. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(Number(entry.time)).toISOString().slice(11, 19);
  const fields = Object.entries(entry).filter(([k]) => !SKIP.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const err = entry.err as { message?: string } | undefined;
  if (err?.message) fields.push(`err=${JSON.stringify(err.message)}`);
  return `${time} ${LEVELS[Number(entry.level)] ?? entry.level} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/** A logger writing JSON to `file` (debug and up) and readable lines on stderr at `level`. */
export function createHarvestLogger(file: string, level: string): Logger {
  const stderr = { write: (line: string) => { process.stderr.write(formatLogLine(line)); } };
  const streams: pino.StreamEntry[] = [
    { level: 'debug', stream: pino.destination({ dest: file, mkdir: true, sync: false }) },
    { level: level as pino.Level, stream: stderr },
  ];
  return pino({ level: 'debug', base: { pid: process.pid } }, pino.multistream(streams));
}
