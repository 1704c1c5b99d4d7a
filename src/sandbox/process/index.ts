export { runOneShot, type OneShotResult } from './run.js';
export { initChildren, killTree, killAllBut } from './kill.js';
export { runIsolated, type IsolatedResult } from './isolated.js';
export { runToolScript, TOOL_ENV } from './tool-run.js';
