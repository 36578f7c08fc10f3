export { main } from './main.js';
export { parseCliArgs, USAGE, UsageError, type Args, type RunArgs, type ServeArgs } from './args.js';
export { loadAgents, loadTools } from './load.js';
export { createModel, DEFAULT_MODELS, providerFromEnv, type CliModel } from './model.js';
export type { Io, Output } from './io.js';
