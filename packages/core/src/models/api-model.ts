import { AgentConfigError, AgentError, ModelError, ModelStreamingNotSupportedError, toAbortError } from '../errors.js';
import type { ChatMessage, ChatMessageStreamDelta, MessageRole } from '../messages.js';
import { mergeContent, textOf } from '../messages.js';
import type { GenerateOptions, Model, ResponseFormat, ToolChoice } from '../model.js';
import type { Tool } from '../tools.js';
import type { ApiKey } from '../provider/settings.js';
import type { FetchFunction } from '../transport/node-fetch.js';
import { AttemptScope } from './attempt-scope.js';
import { ConcurrencyLimit, RateLimiter, type ModelRateLimiter } from './rate-limiter.js';
import { SecretSet, sanitizeModelError } from './redact.js';
import { resolveRetryOptions, retryStreamOrThrow, retryWaitOrThrow, sleep, type RetryBackoff, type RetryOptions } from './retry.js';
import { StopFilter, firstStop } from './stop-filter.js';
import { toolSpecs, type ToolSpec } from './tool-spec.js';

/**
 * The settings every provider takes, with one meaning everywhere. Providers add their own
 * (Azure's endpoint, apiVersion and deployment; Anthropic's maxTokens; …).
 */
export interface ApiModelOptions {
  /** The model to call, as the provider names it. */
  modelId: string;
  /**
   * The key, or an async function returning it (called before each request, for rotating keys).
   * Default: the provider's environment variable. Never shown: not in errors, logs, spans or `util.inspect(model)`.
   */
  apiKey?: ApiKey;
  /** The server's base URL, e.g. "http://127.0.0.1:8000/v1". Default: the provider's own (or its environment variable). */
  baseURL?: string;
  /** Sent with every request. Their values are treated as secrets (they may carry tokens). */
  headers?: Record<string, string>;
  /** Your own fetch. Default on Node: smol's shared keep-alive node:http transport. */
  fetch?: FetchFunction;
  /**
   * The time limit of one attempt, in ms: from sending the request to the last byte of the answer
   * (the whole stream, for streamed calls). An attempt that runs out fails with a retryable
   * ModelError, so `maxRetries` applies. Default: none.
   */
  timeoutMs?: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and connection errors. Default 2; 0 disables retries. */
  maxRetries?: number;
  /** The waits between attempts (exponential, with jitter, Retry-After honoured). */
  retryBackoff?: Partial<RetryBackoff>;
  /** Creates a private RateLimiter. Ignored when `rateLimiter` is given. */
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /**
   * A rate limiter shared with other models (all models on one API key; a fleet's, from
   * @smol/bullmq). A 429 with Retry-After pauses it for that long.
   */
  rateLimiter?: ModelRateLimiter;
  /** Requests this model sends at once, across all its runs; the others wait their turn. Default: no limit. */
  maxConcurrency?: number;
  /**
   * Whether the API accepts stop sequences. When false they are not sent and the output is cut
   * client-side at the first stop sequence (streams too). Default true.
   */
  supportsStopParameter?: boolean;
  /** Send every message's content as one string (text parts joined, images dropped). */
  flattenMessagesAsText?: boolean;
  /** Role mapping applied before sending. Default: tool-call → assistant, tool-response → user. */
  customRoleConversions?: Partial<Record<MessageRole, MessageRole>>;
  /** Model parameters merged into every call (temperature, max_tokens, …); the agent's and the call's win. */
  modelParameters?: Record<string, unknown>;
  /**
   * Keep each answer's whole provider response on `message.raw`, for debugging. Default false: a run
   * keeps its answers until it ends, and at 10,000 concurrent agents keeping whole responses cost
   * about 5% more CPU (more for the garbage collector to carry).
   */
  keepRawResponse?: boolean;
}

/** What a provider subclass receives for one attempt. Built once per call, shared by its retries. */
export interface ModelCallOptions {
  /** Undefined when the model has `supportsStopParameter: false` (the base truncates instead). */
  stopSequences?: string[];
  responseFormat?: ResponseFormat;
  tools?: readonly ToolSpec[];
  toolChoice?: ToolChoice;
  /** The attempt's signal: follows the caller's, and aborts at `timeoutMs` or when a stream's reader stops. */
  signal?: AbortSignal;
  /** The model's modelParameters merged with the call's pass-through parameters. */
  modelParameters: Record<string, unknown>;
}

export const DEFAULT_ROLE_CONVERSIONS: Readonly<Partial<Record<MessageRole, MessageRole>>> = Object.freeze({
  'tool-call': 'assistant',
  'tool-response': 'user',
});

/** GenerateOptions that are not model parameters (a switch: cheaper than a Set on every call). */
function knownOption(key: string): boolean {
  switch (key) {
    case 'stopSequences':
    case 'responseFormat':
    case 'toolsToCallFrom':
    case 'toolChoice':
    case 'signal':
      return true;
    default:
      return false;
  }
}

/**
 * Base class of API-backed models. Subclasses translate one attempt (`generateOnce`,
 * `streamOnce`) and map errors (`toModelError`); the base prepares messages and tools,
 * retries (around the rate limiter), limits each attempt to `timeoutMs`, cuts the output at
 * stop sequences when the API cannot, and removes every configured secret from the errors it throws.
 */
export abstract class ApiModel implements Model {
  readonly modelId: string;
  readonly baseURL: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly retryOptions: Readonly<RetryOptions>;
  readonly rateLimiter: ModelRateLimiter | undefined;
  readonly concurrency: ConcurrencyLimit | undefined;
  readonly supportsStopParameter: boolean;
  readonly flattenMessagesAsText: boolean;
  readonly roleConversions: Readonly<Partial<Record<MessageRole, MessageRole>>>;
  readonly modelParameters: Readonly<Record<string, unknown>>;
  /** Whether answers carry the provider's whole response on `raw` (the keepRawResponse option). */
  readonly keepRawResponse: boolean;
  /** The signal reaches the retries' waits, the limiters and the SDK's request: the loop need not watch the call itself. */
  readonly settlesOnAbort: boolean = true;
  // Private fields: util.inspect and JSON never show them.
  readonly #apiKey: ApiKey | undefined;
  readonly #headers: Readonly<Record<string, string>> | undefined;
  readonly #fetch: FetchFunction | undefined;
  readonly #secrets = new SecretSet();

  constructor(options: ApiModelOptions) {
    if (!options || typeof options.modelId !== 'string' || options.modelId === '') {
      throw new AgentConfigError(`${new.target.name}: modelId is required.`);
    }
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new AgentConfigError(`${new.target.name}: timeoutMs must be a positive number of ms.`);
    this.modelId = options.modelId;
    this.baseURL = options.baseURL;
    this.#secrets.addUrl(options.baseURL);
    this.timeoutMs = options.timeoutMs;
    this.#apiKey = typeof options.apiKey === 'function' ? this.#secrets.track(options.apiKey) : options.apiKey;
    this.#secrets.add(options.apiKey);
    this.#headers = options.headers ? Object.freeze({ ...options.headers }) : undefined;
    this.#secrets.addHeaders(options.headers);
    this.#fetch = options.fetch;
    this.retryOptions = resolveRetryOptions({ ...options.retryBackoff, maxRetries: options.maxRetries });
    this.rateLimiter =
      options.rateLimiter ??
      (options.requestsPerMinute !== undefined || options.tokensPerMinute !== undefined
        ? new RateLimiter({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute })
        : undefined);
    this.concurrency = options.maxConcurrency === undefined ? undefined : new ConcurrencyLimit(options.maxConcurrency);
    this.supportsStopParameter = options.supportsStopParameter ?? true;
    this.flattenMessagesAsText = options.flattenMessagesAsText ?? false;
    this.roleConversions = options.customRoleConversions
      ? Object.freeze({ ...DEFAULT_ROLE_CONVERSIONS, ...options.customRoleConversions })
      : DEFAULT_ROLE_CONVERSIONS;
    this.modelParameters = Object.freeze({ ...options.modelParameters });
    this.keepRawResponse = options.keepRawResponse ?? false;
  }

  /** The apiKey option (a function is wrapped so each key it returns is redacted too). */
  protected get apiKey(): ApiKey | undefined {
    return this.#apiKey;
  }

  /** The headers option. */
  protected get headers(): Readonly<Record<string, string>> | undefined {
    return this.#headers;
  }

  /** The fetch option. */
  protected get fetch(): FetchFunction | undefined {
    return this.#fetch;
  }

  /** What this model treats as secret. Providers add keys they read from the environment and tokens they obtain. */
  protected get secrets(): SecretSet {
    return this.#secrets;
  }

  /** Who answered, for error messages: "OpenAI at api.openai.com". Never includes a key or a query string. */
  protected describeEndpoint(): string {
    return this.constructor.name;
  }

  /**
   * One request, no retries. `messages` are already prepared. Pass `options.signal` to the SDK.
   * Resolves to the answer, or to the SDK's own response when the provider overrides `toAnswer`.
   */
  protected abstract generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<unknown>;

  /**
   * What generateOnce resolved to, as the answer. The default takes it as a ChatMessage. A
   * provider may resolve generateOnce to its SDK's response and convert it here: ApiModel calls
   * this in the step that also handles a failed attempt, which saves a promise per call in flight.
   * What it throws is not retried (an answer that cannot be read will not read better), and is
   * cleaned of secrets like every other error.
   */
  protected toAnswer(response: unknown): ChatMessage {
    return response as ChatMessage;
  }

  /** One streaming request, no retries. Override in providers that stream. */
  protected streamOnce(_messages: readonly ChatMessage[], _options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    throw new ModelStreamingNotSupportedError(
      `${this.constructor.name} does not support streaming: agenerateStream is not implemented for this model class. Use agenerate instead.`,
    );
  }

  /**
   * Maps an SDK error to a ModelError with status, retryable (429, 5xx, connection errors)
   * and retryAfterMs. Never put request headers or the API key into the message.
   */
  protected abstract toModelError(error: unknown): ModelError;

  agenerate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<ChatMessage> {
    let prepared: ChatMessage[];
    let call: ModelCallOptions;
    try {
      prepared = this.prepareMessages(messages);
      call = this.callOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const stops = this.supportsStopParameter ? undefined : nonEmpty(options.stopSequences);
    return this.#attempt(messages, prepared, call, stops, 1);
  }

  /**
   * Attempt `attempt` (from 1) and, on a retryable failure, the next after its wait. A promise
   * chain rather than an async function: a call in flight keeps no suspended frames here, which
   * thousands of concurrent runs would each hold (memory and GC per agent). What waits for a retry
   * is the caller's `messages`, prepared again for the next attempt: the copies that preparing made
   * (converted roles, merged turns) are not held while the call is in flight.
   */
  #attempt(messages: readonly ChatMessage[], prepared: readonly ChatMessage[], call: ModelCallOptions, stops: string[] | undefined, attempt: number): Promise<ChatMessage> {
    const { signal } = call;
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    const plain = !this.concurrency && !this.rateLimiter && this.timeoutMs === undefined;
    let answer: Promise<unknown>;
    try {
      // A provider's generateOnce need not be async; what it throws is cleaned all the same.
      answer = plain ? this.generateOnce(prepared, call) : this.#limitedAttempt(prepared, call);
    } catch (error) {
      answer = Promise.reject(error);
    }
    // Without a rate limiter to tell or stops to apply, the model's one handler: no closure to hold while in flight.
    const finish = stops || this.rateLimiter ? (response: unknown) => this.#finish(response, stops) : this.#read;
    return answer.then(
      finish,
      (error: unknown) => {
        const failure = plain ? this.normalizeError(error, signal, undefined) : error;
        const delayMs = retryWaitOrThrow(failure, attempt, this.retryOptions, signal);
        return sleep(delayMs, signal).then(() => this.#attempt(messages, this.prepareMessages(messages), call, stops, attempt + 1));
      },
    );
  }

  /** One function per model, not a closure per call in flight. */
  readonly #read = (response: unknown): ChatMessage => this.#finish(response, undefined);

  /** An answer as the caller gets it: read from the response, its tokens counted by the rate limiter, its text cut at a stop sequence the API could not apply. */
  #finish(response: unknown, stops: string[] | undefined): ChatMessage {
    let answer: ChatMessage;
    try {
      answer = this.toAnswer(response);
    } catch (error) {
      throw this.normalizeError(error, undefined, undefined);
    }
    if (answer.tokenUsage) this.rateLimiter?.recordTokens(answer.tokenUsage.totalTokens);
    if (stops && typeof answer.content === 'string') {
      const cut = firstStop(answer.content, stops);
      if (cut >= 0) return { ...answer, content: answer.content.slice(0, cut) };
    }
    return answer;
  }

  /** One attempt under the model's concurrency limit, rate limiter and time limit. */
  async #limitedAttempt(prepared: readonly ChatMessage[], call: ModelCallOptions): Promise<unknown> {
    const { signal } = call;
    const release = await this.concurrency?.acquire(signal);
    let scope: AttemptScope | undefined;
    try {
      await this.rateLimiter?.acquire({ signal });
      scope = this.timeoutMs === undefined ? undefined : new AttemptScope(signal, this.timeoutMs);
      return await this.generateOnce(prepared, scope ? { ...call, signal: scope.signal } : call);
    } catch (error) {
      throw this.normalizeError(error, signal, scope);
    } finally {
      scope?.end(false);
      release?.();
    }
  }

  async *agenerateStream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncGenerator<ChatMessageStreamDelta, void, undefined> {
    const prepared = this.prepareMessages(messages);
    const call = this.callOptions(options);
    const stops = this.supportsStopParameter ? undefined : nonEmpty(options.stopSequences);
    const { signal } = call;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw toAbortError(signal);
      let scope: AttemptScope | undefined;
      let yielded = false;
      let finished = false;
      let release: (() => void) | undefined;
      try {
        release = await this.concurrency?.acquire(signal);
        await this.rateLimiter?.acquire({ signal });
        // Its own signal, so a reader that stops early (break, stop sequence) also ends the HTTP request.
        scope = new AttemptScope(signal, this.timeoutMs);
        const filter = stops ? new StopFilter(stops) : undefined;
        for await (const delta of this.streamOnce(prepared, { ...call, signal: scope.signal })) {
          if (delta.tokenUsage) this.rateLimiter?.recordTokens(delta.tokenUsage.totalTokens);
          if (filter && delta.content) {
            const text = filter.push(delta.content);
            const out = text === delta.content ? delta : { ...delta, content: text };
            if (out.content || out.toolCalls || out.tokenUsage) {
              yielded = true;
              yield out;
            }
            if (filter.stopped) break;
            continue;
          }
          yielded = true;
          yield delta;
        }
        // A stop sequence ends the attempt early: its request is aborted in finally.
        finished = !filter?.stopped;
        const rest = filter?.flush();
        if (rest) yield { content: rest };
        return;
      } catch (error) {
        await retryStreamOrThrow(this.normalizeError(error, signal, scope), { attempt, yielded, retry: this.retryOptions, signal });
      } finally {
        scope?.end(!finished);
        release?.();
      }
    }
  }

  /**
   * Applies role conversions, optional flattening, and merges consecutive messages of the same
   * role (text joined with a newline). Input messages are never mutated; an unchanged message
   * is passed through as the same object.
   */
  prepareMessages(messages: readonly ChatMessage[]): ChatMessage[] {
    // Sized once (merging only shortens it): the model holds this array while the call is in flight.
    const out: ChatMessage[] = new Array(messages.length);
    let n = 0;
    let lastOwned = false; // whether out[n - 1] is a copy we may extend
    for (const message of messages) {
      const role = this.roleConversions[message.role] ?? message.role;
      let content = message.content;
      if (this.flattenMessagesAsText && content !== null && typeof content !== 'string') content = textOf(content);
      const prev = n > 0 ? out[n - 1] : undefined;
      if (prev && prev.role === role) {
        const merged: ChatMessage = lastOwned ? prev : { ...prev };
        merged.content = mergeContent(merged.content, content);
        if (message.toolCalls?.length) merged.toolCalls = [...(merged.toolCalls ?? []), ...message.toolCalls];
        out[n - 1] = merged;
        lastOwned = true;
      } else if (role === message.role && content === message.content) {
        out[n++] = message;
        lastOwned = false;
      } else {
        out[n++] = { ...message, role, content };
        lastOwned = true;
      }
    }
    out.length = n;
    return out;
  }

  /** Tools as provider-neutral specs (see toolSpecs). */
  protected toolSpecs(tools: readonly Tool[] | undefined): readonly ToolSpec[] | undefined {
    return toolSpecs(tools);
  }

  private callOptions(options: GenerateOptions): ModelCallOptions {
    let parameters: Record<string, unknown> = this.modelParameters as Record<string, unknown>;
    let copied = false;
    for (const key in options) {
      if (knownOption(key) || options[key] === undefined) continue;
      if (!copied) {
        parameters = { ...parameters };
        copied = true;
      }
      parameters[key] = options[key];
    }
    return {
      stopSequences: this.supportsStopParameter ? nonEmpty(options.stopSequences) : undefined,
      responseFormat: options.responseFormat,
      tools: this.toolSpecs(options.toolsToCallFrom),
      toolChoice: options.toolChoice,
      signal: options.signal,
      modelParameters: parameters,
    };
  }

  /**
   * Abort wins; then the attempt's time limit; smol's own errors pass through and the rest is mapped.
   * Every ModelError leaves here sanitized: no configured secret in its message, stack or cause chain.
   */
  private normalizeError(error: unknown, signal: AbortSignal | undefined, scope: AttemptScope | undefined): AgentError {
    if (signal?.aborted) return toAbortError(signal);
    let mapped: AgentError;
    if (scope?.timedOut) {
      mapped = new ModelError(`${this.describeEndpoint()} did not answer within ${this.timeoutMs} ms (timeoutMs).`, { retryable: true });
    } else mapped = AgentError.isInstance(error) ? error : this.toModelError(error);
    if (!ModelError.isInstance(mapped)) return mapped;
    // The server said when to come back: every model sharing the limiter waits that long.
    // A fleet limiter that cannot reach its store must not fail this call: the retry waits anyway.
    if (mapped.retryable && mapped.retryAfterMs) Promise.resolve(this.rateLimiter?.pause?.(mapped.retryAfterMs)).catch(() => {});
    return sanitizeModelError(mapped, (text) => this.#secrets.redact(text));
  }
}

function nonEmpty(stops: string[] | undefined): string[] | undefined {
  if (!stops) return undefined;
  const kept = stops.filter((s) => typeof s === 'string' && s.length > 0);
  return kept.length > 0 ? kept : undefined;
}
