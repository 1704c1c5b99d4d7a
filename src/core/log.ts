import pino, { type Logger } from 'pino';

export type { Logger };

/** The process logger: JSON lines on stderr (and optionally a file), level from FORAGER_LOG_LEVEL. */
export function createLogger(options: { level?: string; file?: string } = {}): Logger {
  const level = options.level ?? process.env.FORAGER_LOG_LEVEL ?? 'warn';
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: pino.destination({ dest: 2, sync: true }) }];
  if (options.file) streams.push({ level: 'debug', stream: pino.destination({ dest: options.file, mkdir: true, sync: false }) });
  return pino({ level: options.file ? 'debug' : level, base: { pid: process.pid } }, pino.multistream(streams));
}

/** A logger that drops everything: the default for library calls that were given none. */
export const silentLogger: Logger = pino({ level: 'silent' });
