export { CWM, formatCwm, parseCwm, escapeText, unescapeText, UNCHANGED, type CwmFrame } from './cwm.js';
export { Deduplicator, invocationKey } from './dedup.js';
export { summariseTraces, renderTraceStats, type TraceStats } from './stats.js';
export { exportTraces, TRACE_EXPORT_FORMATS, TRACE_COLUMNS, type TraceExportFormat, type TraceExportOptions, type TraceExportResult, type TraceRow } from './write.js';
