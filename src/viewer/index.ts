export { startViewer, ASSETS_DIR, type ViewerOptions, type RunningViewer } from './server.js';
export { listTrajectories, findTrajectories, type TrajectorySummary } from './catalog.js';
export { StepStore, type StepRow } from './step-store.js';
