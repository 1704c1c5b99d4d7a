export { runOneShot, type OneShotResult } from './run.js';
export { toolKiller } from './tool-killer.js';
export { initChildren, execKiller, parseKillAnswer, readingInput, type Killer, type KillReport, type ShellFacts } from './kill.js';
export { runIsolated, type IsolatedResult } from './isolated.js';
export { runToolScript, TOOL_ENV } from './tool-run.js';
export { ToolProcess, encodeFrame, readFrame, type ToolAnswer, type ToolRequestOptions } from './tool-process.js';
