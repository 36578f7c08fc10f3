// @smol/core/provider: what provider authors need to put a model API behind smol's Model interface.
// People who build agents need only the package root.
export { ApiModel, DEFAULT_ROLE_CONVERSIONS, type ApiModelOptions, type ModelCallOptions } from '../models/api-model.js';
export { readTokenUsage } from '../models/token-usage.js';
export { toolSpec, type ToolSpec } from '../models/tool-spec.js';
export { StopFilter, firstStop, mapStream, type StreamMapper } from '../models/stop-filter.js';
export {
  DEFAULT_RETRY_OPTIONS,
  isConnectionError,
  isRetryableError,
  parseRetryAfter,
  resolveRetryOptions,
  retryDelay,
  retryWaitOrThrow,
  sleep,
  retryStreamOrThrow,
  withRetry,
  type RetryBackoff,
  type RetryInfo,
  type RetryOptions,
  type StreamRetryState,
  type WithRetryOptions,
} from '../models/retry.js';
export { ConcurrencyLimit, RateLimiter, type ModelRateLimiter, type RateLimiterOptions } from '../models/rate-limiter.js';
export { ProviderErrorCause, SecretSet, describeCause, redactSecrets, sanitizeError, sanitizeModelError } from '../models/redact.js';
export { loadApiKey, loadSetting, readEnv, type ApiKey, type SettingSource } from './settings.js';
export { LinkedController, linkedController } from '../runner/abort.js';
export { toAbortError } from '../errors.js';
export { bytesToBase64, contentLines, imagePartUrl, parseArguments, usageIncrement } from '../messages.js';
export { RUN_SIGNAL, createNodeFetch, defaultFetch, getDefaultNodeFetch, readsRunSignal, sdkSignalOptions, type FetchFunction, type NodeFetchOptions } from '../transport/index.js';
export {
  WireStreamMapper,
  fromWireCompletion,
  toWireMessages,
  toWireRequest,
  toWireResponseFormat,
  toWireToolChoice,
  toWireTools,
  type EncodedText,
  type WireChunk,
  type WireCompletion,
  type WireContentPart,
  type WireMessage,
  type WireRequest,
  type WireRole,
  type WireTool,
  type WireToolChoice,
} from './openai-wire.js';
export {
  endpointName,
  hostOf,
  httpErrorToModelError,
  timeoutToModelError,
  transportErrorToModelError,
  type EndpointContext,
  type HttpErrorInfo,
} from './errors.js';
