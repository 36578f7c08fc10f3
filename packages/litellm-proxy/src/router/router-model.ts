import { AgentAbortError, AgentConfigError, ModelError, toAbortError, type ChatMessage, type ChatMessageStreamDelta, type GenerateOptions, type Model } from '@smol/core';
import { resolveRetryOptions, retryStreamOrThrow, withRetry, type RetryBackoff, type RetryOptions } from '@smol/core/provider';
import { buildDeployments, type DeploymentState, type RouterDeployment } from './deployment.js';
import { Cursor, pick, resolveStrategy, type RoutingStrategy } from './strategies.js';

export type RouterFallbacks = readonly string[] | Readonly<Record<string, readonly string[]>> | readonly Readonly<Record<string, readonly string[]>>[];

export interface LiteLLMRouterModelOptions {
  /** The group to call: a modelName in modelList. */
  modelId: string;
  modelList: readonly RouterDeployment[];
  /** Default "round-robin". litellm's names ("latency-based-routing", "simple-shuffle") work too. */
  routingStrategy?: RoutingStrategy | 'latency-based-routing';
  /**
   * Groups to try, in order, once every deployment of modelId has failed: a list for modelId, or
   * litellm's `{ group: [fallback, …] }` (also as a list of such objects).
   */
  fallbacks?: RouterFallbacks;
  /** How long a deployment that failed (429, 5xx, timeout, 401/403/404) is skipped. Default 5000 ms, or its Retry-After. */
  cooldownMs?: number;
  /**
   * Passes over all deployments and fallbacks after the first, when all failed with a retryable
   * error; between passes the router waits as `retryBackoff` says (Retry-After honoured). Default 2; 0: one pass.
   */
  maxRetries?: number;
  retryBackoff?: Partial<RetryBackoff>;
}

export interface DeploymentStats {
  id: string;
  group: string;
  inFlight: number;
  requests: number;
  failures: number;
  latencyMs: number | undefined;
  coolingDown: boolean;
}

const COOLDOWN_STATUSES = new Set([401, 403, 404]);

/**
 * A client-side router over deployments, in the manner of Python litellm's Router: it picks a
 * deployment of the requested group by strategy, honours each deployment's rpm/tpm with a core
 * RateLimiter, moves on to the group's other deployments and then to fallback groups when one fails,
 * and puts failing deployments on a short cooldown. It implements core's Model, so agents use it
 * like any model.
 */
export class LiteLLMRouterModel implements Model {
  readonly modelId: string;
  readonly routingStrategy: RoutingStrategy;
  readonly retryOptions: Readonly<RetryOptions>;
  readonly cooldownMs: number;
  /** modelId's group, then its fallbacks. */
  readonly groupChain: readonly string[];
  private readonly deployments: DeploymentState[];
  private readonly groups = new Map<string, { all: DeploymentState[]; cursor: Cursor }>();
  /**
   * Whether a call settles as soon as its signal aborts: when every deployment's model does, since
   * the router's own waits (rate limits, retry passes) end at the abort. A run then need not race
   * the call against its signal.
   */
  readonly settlesOnAbort: boolean;

  constructor(options: LiteLLMRouterModelOptions) {
    if (!options || typeof options.modelId !== 'string' || options.modelId === '') throw new AgentConfigError('LiteLLMRouterModel: modelId is required.');
    this.modelId = options.modelId;
    const strategy = resolveStrategy(options.routingStrategy);
    if (!strategy) throw new AgentConfigError(`LiteLLMRouterModel: unknown routingStrategy "${options.routingStrategy}".`);
    this.routingStrategy = strategy;
    this.retryOptions = resolveRetryOptions({ ...options.retryBackoff, maxRetries: options.maxRetries });
    this.cooldownMs = options.cooldownMs ?? 5000;
    this.deployments = buildDeployments(options.modelList);
    this.settlesOnAbort = this.deployments.every((d) => d.model.settlesOnAbort === true);
    for (const d of this.deployments) {
      let g = this.groups.get(d.group);
      if (!g) this.groups.set(d.group, (g = { all: [], cursor: new Cursor() }));
      g.all.push(d);
    }
    this.groupChain = [this.modelId, ...fallbacksFor(this.modelId, options.fallbacks).filter((g) => g !== this.modelId)];
    for (const g of this.groupChain) {
      if (!this.groups.has(g)) throw new AgentConfigError(`LiteLLMRouterModel: no deployment in modelList serves "${g}".`);
    }
  }

  /** What the router has learned about each deployment. */
  stats(): DeploymentStats[] {
    const now = performance.now();
    return this.deployments.map((d) => ({
      id: d.id,
      group: d.group,
      inFlight: d.inFlight,
      requests: d.requests,
      failures: d.failures,
      latencyMs: d.latencyMs,
      coolingDown: d.coolingDown(now),
    }));
  }

  async agenerate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<ChatMessage> {
    const { signal } = options;
    return withRetry(
      async () => {
        const failures: [DeploymentState, ModelError][] = [];
        for (const d of this.order()) {
          const started = await this.begin(d, signal);
          try {
            const message = await d.model.agenerate(messages, options);
            d.recordLatency(performance.now() - started);
            if (message.tokenUsage) d.limiter?.recordTokens(message.tokenUsage.totalTokens);
            return message;
          } catch (error) {
            failures.push([d, this.failed(d, error, signal)]);
          } finally {
            d.inFlight--;
          }
        }
        throw this.exhausted(failures);
      },
      { retry: this.retryOptions, signal },
    );
  }

  async *agenerateStream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncGenerator<ChatMessageStreamDelta, void, undefined> {
    const { signal } = options;
    for (let attempt = 1; ; attempt++) {
      const failures: [DeploymentState, ModelError][] = [];
      for (const d of this.order()) {
        const started = await this.begin(d, signal);
        let yielded = false;
        try {
          for await (const delta of d.model.agenerateStream(messages, options)) {
            if (!yielded) {
              yielded = true;
              d.recordLatency(performance.now() - started); // time to first delta
            }
            if (delta.tokenUsage) d.limiter?.recordTokens(delta.tokenUsage.totalTokens);
            yield delta;
          }
          return;
        } catch (error) {
          const err = this.failed(d, error, signal);
          // Once output has reached the caller, another deployment cannot take over.
          if (yielded) throw err;
          failures.push([d, err]);
        } finally {
          d.inFlight--;
        }
      }
      // Every deployment failed before its first delta: another pass, as the policy allows.
      await retryStreamOrThrow(this.exhausted(failures), { attempt, yielded: false, retry: this.retryOptions, signal });
    }
  }

  /**
   * Deployments to try in one pass, chosen lazily so each pick sees the current load: first those
   * not cooling down, group by group along the fallback chain; then, as a last resort, the ones
   * cooling down (a cooldown must not fail a call that nothing else can serve).
   */
  private *order(): Generator<DeploymentState> {
    const tried = new Set<DeploymentState>();
    for (const cooling of [false, true]) {
      for (const name of this.groupChain) {
        const group = this.groups.get(name)!;
        for (;;) {
          const now = performance.now();
          const candidates = new Set(group.all.filter((d) => !tried.has(d) && d.coolingDown(now) === cooling));
          if (candidates.size === 0) break;
          const d = pick(this.routingStrategy, group.all, candidates, group.cursor);
          tried.add(d);
          yield d;
        }
      }
    }
  }

  /** Counts the request as in flight (queued included), then waits for the deployment's rate limit. */
  private async begin(d: DeploymentState, signal: AbortSignal | undefined): Promise<number> {
    if (signal?.aborted) throw toAbortError(signal);
    d.inFlight++;
    d.requests++;
    try {
      await d.limiter?.acquire({ signal });
    } catch (error) {
      d.inFlight--;
      throw error;
    }
    return performance.now();
  }

  /** Records a failure and returns it as a ModelError; an abort is rethrown at once. */
  private failed(d: DeploymentState, error: unknown, signal: AbortSignal | undefined): ModelError {
    if (signal?.aborted) throw toAbortError(signal);
    if (AgentAbortError.isInstance(error)) throw error;
    const err = ModelError.isInstance(error)
      ? error
      : new ModelError(`Deployment "${d.id}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    d.failures++;
    if (err.retryable || (err.status !== undefined && COOLDOWN_STATUSES.has(err.status))) {
      d.cooldownUntil = performance.now() + (err.retryAfterMs ?? this.cooldownMs);
    }
    return err;
  }

  private exhausted(failures: readonly [DeploymentState, ModelError][]): ModelError {
    const last = failures.at(-1)?.[1];
    const tried = failures.map(([d, e]) => `${d.id}${e.status ? ` (${e.status})` : ''}`).join(', ');
    let retryAfterMs: number | undefined;
    for (const [, e] of failures) if (e.retryable && e.retryAfterMs !== undefined) retryAfterMs = Math.min(retryAfterMs ?? Infinity, e.retryAfterMs);
    const chain = this.groupChain.length > 1 ? ` or its fallbacks (${this.groupChain.slice(1).join(', ')})` : '';
    return new ModelError(`LiteLLM router: no deployment of "${this.modelId}"${chain} answered; tried ${tried}. Last error: ${last?.message ?? 'none'}`, {
      status: last?.status,
      retryable: failures.some(([, e]) => e.retryable),
      retryAfterMs,
      cause: last,
    });
  }
}

function fallbacksFor(group: string, fallbacks: RouterFallbacks | undefined): string[] {
  if (!fallbacks) return [];
  if (Array.isArray(fallbacks)) {
    if (fallbacks.every((f) => typeof f === 'string')) return [...(fallbacks as string[])];
    const out: string[] = [];
    for (const entry of fallbacks as Record<string, readonly string[]>[]) out.push(...(entry[group] ?? []));
    return out;
  }
  return [...((fallbacks as Record<string, readonly string[]>)[group] ?? [])];
}
