export { enqueueBatch, type EnqueueOptions, type EnqueueResult, type BatchInfo } from './enqueue.js';
export { startWorker, type WorkerOptions, type RunningWorker } from './worker.js';
export { readQueueStatus, type QueueStatus, type BatchQueueStatus, type QueueCounts } from './status.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { buildPayload, restoreTask, JobPayloadSchema, DEFAULT_MAX_PAYLOAD_BYTES, type JobPayload } from './payload.js';
export { connectRedis, checkRedisUrl } from './connection.js';
export { jobIdOf, defaultBatchId, checkBatchId, QUEUE_NAME, KEY_PREFIX } from './names.js';
export type { JobResult } from './process-job.js';
