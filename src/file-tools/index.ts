export { viewFile, numberLines, type ViewAction } from './view.js';
export { editFile, createFile, type ToolResult } from './edit.js';
export { readSandboxFile, readBounded, writeExact, FileTooLargeError } from './read-write.js';
export { findOnce, countOccurrences, spliceBytes } from './splice.js';
export { FILE_LIMITS } from './limits.js';
