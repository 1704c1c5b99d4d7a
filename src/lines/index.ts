export { DEFAULT_MAX_LINE_BYTES, InputTooLargeError, lineLimit, LineTooLongError, MAX_LINE_ENV } from './limit.js';
export { readLines, type NumberedLine, type ReadLinesOptions } from './read-lines.js';
export { readFirstLine, readLastLine } from './edge-lines.js';
export { readTextFile } from './read-text.js';
