/**
 * forager's errors, for every folder. The classes live in src/errors/, below core and
 * trajectory both: core's contracts speak trajectory's record types, and trajectory's
 * reader throws these errors, so neither folder may hold them without an import cycle.
 */
export * from '../errors/index.js';
