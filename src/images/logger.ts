import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger that drops everything: the default when a caller passes none. */
export const silentLogger: Logger = pino({ level: 'silent' });
