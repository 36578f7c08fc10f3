export { AgentQueue, RunHandle, type AgentQueueOptions, type SubmitOptions, type RunStreamEntry } from './queue.js';
export { AgentWorker, type AgentWorkerOptions, type AgentSource } from './worker.js';
export { describeConnection, type RedisConnection, type RedisConnectionOptions } from './connection.js';
export { QueueConnectionError, RunFailedError, RunNotFoundError, RunSnapshotError, UnknownAgentError } from './errors.js';
export type { QueuedRunEvent, QueuedRunOutcome, RunJobData, StoredAgentEvent } from './wire.js';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './rate-limiter.js';
