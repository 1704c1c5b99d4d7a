export { runSupply, type SupplyOptions, type SupplyResult } from './pipeline.js';
export { STAGES, SupplyLog, type StageName, type SupplyEvent } from './events.js';
export { supplyPaths, SUPPLY_LOG } from './layout.js';
export { STAGE_TABLE, MUTATE_REPORT, type Stage, type StageContext, type TaskVerdict } from './stages.js';
export { readYield, renderYield, type YieldRow } from './yield.js';
export { enqueueSupply, startSupplyWorker, supplyBatchId, supplyJobId, SupplyJobSchema, SUPPLY_QUEUE, type SupplyJob, type SupplyWorkerOptions } from './queue.js';
