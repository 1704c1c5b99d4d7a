export { CWM, CWM_TOKEN_IDS, formatCwmTrace, cwmTraceTokens } from './cwm.js';
export { buildCwmTrace, indexTrace, UNCHANGED, START_MARKER, type CwmFrame, type CwmFrameEvent, type CwmTrace, type TraceIndex } from './cwm-frames.js';
export { parseCwmTrace, resolveCwmLocals, type ParsedCwmTrace } from './cwm-parse.js';
export { pyJsonDumps, pyJsonString } from './py-json.js';
export { Deduplicator, invocationKey } from './dedup.js';
export { summariseTraces, renderTraceStats, type TraceStats } from './stats.js';
export { exportTraces, TRACE_EXPORT_FORMATS, TRACE_COLUMNS, type TraceExportFormat, type TraceExportOptions, type TraceExportResult, type TraceRow } from './write.js';
