export { toAtif } from './to-atif.js';
export { openAtifSink } from './sink.js';
export { ATIF_VERSION, type AtifTrajectory, type AtifStep, type AtifToolCall, type AtifMetrics } from './types.js';
export { atifFormat } from './format.js';
