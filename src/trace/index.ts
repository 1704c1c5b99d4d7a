export { traceTask, DEFAULT_TRACE_COMMAND, TRACER_DIR, TRACER_HOME, type TraceTaskOptions, type TraceTaskResult } from './run-trace.js';
export { traceBatch, type TraceBatchOptions } from './batch.js';
export { tracePair, type PairResult } from './pair.js';
export { firstDivergences, type Divergence } from './divergence.js';
export { DEFAULT_TRACE_LIMITS, resolveTraceLimits } from './limits.js';
export { readTraceFile, parseTraceText, findTraceFiles, isTraceFile, sourceLine, type TraceFile } from './read.js';
export { parseProcessTrace, type ProcessTrace } from './collect.js';
export * from './schema.js';
export * from './export/index.js';
