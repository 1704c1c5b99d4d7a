export { importTrajectories, IMPORT_FILE_PATTERNS, IMPORT_FORMATS, type ImportFormat, type ImportReport } from './import.js';
export { ImportError } from './errors.js';
export { buildLines, type ImportedRecord, type Turn } from './record.js';
