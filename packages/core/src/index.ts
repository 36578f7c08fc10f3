export * from './errors.js';
export * from './messages.js';
export * from './model.js';
export * from './tools.js';
export * from './code/executor.js';
export * from './models/api-model.js';
export * from './models/retry.js';
export * from './models/rate-limiter.js';
