// The router over several simulated OpenAI-compatible servers (@smol/testing), one per deployment.
import { AgentAbortError, ModelError, StreamAccumulator, ToolCallingAgent, tool, type ChatMessage, type Model } from '@smol/core';
import { startMockLlmServer, type MockLlmServer, type MockLlmServerOptions } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LiteLLMRouterModel, type LiteLLMRouterModelOptions, type RouterDeployment } from './index.js';

const FAST_RETRY = { maxRetries: 1, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000, jitter: false } };
const hi: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

const servers: MockLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function mock(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const s = await startMockLlmServer({ responder: () => 'ok', ...options });
  servers.push(s);
  return s;
}

function deployment(server: MockLlmServer, group: string, extra: Partial<RouterDeployment> = {}): RouterDeployment {
  return { modelName: group, litellmParams: { model: 'mock-model', baseURL: server.baseURL, apiKey: 'sk-test' }, ...extra };
}

function router(modelList: RouterDeployment[], options: Partial<LiteLLMRouterModelOptions> = {}): LiteLLMRouterModel {
  return new LiteLLMRouterModel({ modelId: 'main', modelList, ...FAST_RETRY, ...options });
}

describe('LiteLLMRouterModel: routing', () => {
  it('round-robin spreads calls evenly over a group', async () => {
    const [a, b, c] = await Promise.all([mock(), mock(), mock()]);
    const r = router([deployment(a, 'main'), deployment(b, 'main'), deployment(c, 'main')]);
    for (let i = 0; i < 9; i++) await r.agenerate(hi);
    expect([a.requestCount, b.requestCount, c.requestCount]).toEqual([3, 3, 3]);
  });

  it('least-busy sends a call to the deployment with the fewest requests in flight', async () => {
    const [slow, fast] = await Promise.all([mock({ latencyMs: 150 }), mock()]);
    const r = router([deployment(slow, 'main'), deployment(fast, 'main')], { routingStrategy: 'least-busy' });
    const first = r.agenerate(hi); // goes to `slow` (first in order) and stays in flight
    await r.agenerate(hi);
    await r.agenerate(hi);
    await first;
    expect([slow.requestCount, fast.requestCount]).toEqual([1, 2]);
  });

  it('latency-based measures each deployment, then prefers the fastest', async () => {
    const [slow, fast] = await Promise.all([mock({ latencyMs: 60 }), mock()]);
    const r = router([deployment(slow, 'main'), deployment(fast, 'main')], { routingStrategy: 'latency-based-routing' });
    for (let i = 0; i < 6; i++) await r.agenerate(hi);
    expect(slow.requestCount).toBe(1); // measured once
    expect(fast.requestCount).toBe(5);
    const [s, f] = r.stats();
    expect(s.latencyMs!).toBeGreaterThan(f.latencyMs!);
  });

  it('honours per-deployment rate limits with a core RateLimiter', async () => {
    const only = await mock();
    // 600 rpm: a burst of 10, then one request every 100 ms.
    const r = router([deployment(only, 'main', { requestsPerMinute: 600 })]);
    const started = performance.now();
    await Promise.all(Array.from({ length: 12 }, () => r.agenerate(hi)));
    expect(only.requestCount).toBe(12);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('skips a deployment whose rate limit would make the call wait while another is ready', async () => {
    const [limited, open] = await Promise.all([mock(), mock()]);
    // 60 rpm: one request, then the next only after a second.
    const r = router([deployment(limited, 'main', { requestsPerMinute: 60 }), deployment(open, 'main')]);
    const started = performance.now();
    for (let i = 0; i < 4; i++) await r.agenerate(hi);
    expect([limited.requestCount, open.requestCount]).toEqual([1, 3]);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('accepts Python litellm model_list entries (snake_case, rpm inside litellm_params)', async () => {
    const s = await mock();
    const r = new LiteLLMRouterModel({
      modelId: 'gpt-group',
      modelList: [{ model_name: 'gpt-group', litellm_params: { model: 'mock-model', api_base: s.baseURL, api_key: 'sk-x', rpm: 6000, temperature: 0.3 } }],
    });
    await r.agenerate(hi);
    expect(s.requests[0].body).toMatchObject({ model: 'mock-model', temperature: 0.3 });
  });
});

describe('LiteLLMRouterModel: failures and fallbacks', () => {
  it('moves to another deployment of the group on a 429 and cools the first one down', async () => {
    const [limited, healthy] = await Promise.all([mock({ faults: () => ({ status: 429, retryAfter: 30 }) }), mock()]);
    const r = router([deployment(limited, 'main'), deployment(healthy, 'main')], { maxRetries: 0 });
    await expect(r.agenerate(hi)).resolves.toMatchObject({ content: 'ok' });
    expect(r.stats()[0]).toMatchObject({ coolingDown: true, failures: 1 });
    // While it cools down (Retry-After 30 s), calls skip it.
    await r.agenerate(hi);
    await r.agenerate(hi);
    expect([limited.requestCount, healthy.requestCount]).toEqual([1, 3]);
  });

  it('falls back to the next group when every deployment of the group fails', async () => {
    const [broken, backup] = await Promise.all([mock({ faults: () => ({ status: 500 }) }), mock({ responder: () => 'from backup' })]);
    const r = router([deployment(broken, 'main'), deployment(backup, 'backup')], { fallbacks: [{ main: ['backup'] }], maxRetries: 0 });
    await expect(r.agenerate(hi)).resolves.toMatchObject({ content: 'from backup' });
    expect(broken.requestCount).toBe(1);
  });

  it('a stream fails over before its first delta', async () => {
    const [broken, backup] = await Promise.all([mock({ faults: () => ({ status: 503 }) }), mock({ responder: () => 'streamed from backup' })]);
    const r = router([deployment(broken, 'main'), deployment(backup, 'backup')], { fallbacks: ['backup'], maxRetries: 0 });
    const acc = new StreamAccumulator();
    for await (const d of r.agenerateStream(hi)) acc.add(d);
    expect(acc.toMessage()).toMatchObject({ content: 'streamed from backup', tokenUsage: { totalTokens: expect.any(Number) } });
  });

  it('when everything fails, says which deployments were tried, after the retry passes', async () => {
    const [a, b] = await Promise.all([mock({ faults: () => ({ status: 500 }) }), mock({ faults: () => ({ status: 401 }) })]);
    const r = router([deployment(a, 'main', { id: 'east' }), deployment(b, 'fallback', { id: 'west' })], { fallbacks: ['fallback'] });
    const error = await r.agenerate(hi).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/no deployment of "main" or its fallbacks \(fallback\) answered; tried east \(500\), west \(401\)/);
    expect(error.message).not.toContain('sk-test');
    expect(a.requestCount).toBe(2); // two passes (retry policy), the first deployment tried in each
  });

  it('an abort stops at once: no other deployment is tried', async () => {
    const [hanging, other] = await Promise.all([mock({ faults: () => ({ hang: true }) }), mock()]);
    const r = router([deployment(hanging, 'main'), deployment(other, 'main')]);
    const controller = new AbortController();
    const pending = r.agenerate(hi, { signal: controller.signal });
    while (hanging.countsByPath['/v1/chat/completions'] === undefined) await new Promise((res) => setTimeout(res, 2));
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    expect(other.requestCount).toBe(0);
    expect(r.stats()[0].inFlight).toBe(0);
  });

  it('settles at an abort when every deployment does; with one that may not, a run stops waiting for it by itself', async () => {
    const server = await mock();
    expect(router([deployment(server, 'main')]).settlesOnAbort).toBe(true);
    // A deployment's own Model that never answers and ignores the signal (ScriptedModel would honour it).
    const inFlight = Promise.withResolvers<void>();
    const never = (): Promise<never> => {
      inFlight.resolve();
      return new Promise(() => {});
    };
    const deaf: Model = { modelId: 'deaf', agenerate: never, agenerateStream: () => ({ [Symbol.asyncIterator]: () => ({ next: never }) }) };
    const r = router([{ modelName: 'main', model: deaf }]);
    expect(r.settlesOnAbort).toBe(false);
    const run = new ToolCallingAgent({ model: r, tools: [] }).arun('define smol', { stream: true });
    const outcome = run.result.then(
      () => 'answered',
      (error: unknown) => (AgentAbortError.isInstance(error) ? 'aborted' : error),
    );
    await inFlight.promise;
    run.interrupt();
    expect(await outcome).toBe('aborted');
  });

  it('rejects a bad configuration', () => {
    expect(() => new LiteLLMRouterModel({ modelId: 'main', modelList: [] })).toThrow(/at least one/);
    expect(() => new LiteLLMRouterModel({ modelId: 'nope', modelList: [{ modelName: 'main', litellmParams: { model: 'm' } }] })).toThrow(/no deployment .* serves "nope"/);
    expect(() => new LiteLLMRouterModel({ modelId: 'main', modelList: [{ modelName: 'main' }] })).toThrow(/needs a model or litellmParams/);
    expect(() => new LiteLLMRouterModel({ modelId: 'main', routingStrategy: 'fastest' as never, modelList: [{ modelName: 'main', litellmParams: { model: 'm' } }] })).toThrow(/routingStrategy/);
  });
});

describe('LiteLLMRouterModel as an agent model', () => {
  it('runs a ToolCallingAgent scenario across deployments of any provider', async () => {
    const [a, b] = await Promise.all([startMockLlmServer(), startMockLlmServer()]);
    servers.push(a, b);
    const lookup = tool({
      name: 'lookup',
      description: 'Looks a word up.',
      inputSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
      execute: (args: { word: string }) => `definition of ${args.word.slice(0, 12)}`,
    });
    // A ready Model is a deployment as well as litellmParams are.
    const { LiteLLMModel } = await import('./index.js');
    const ready: Model = new LiteLLMModel({ modelId: 'mock-model', baseURL: b.baseURL, apiKey: 'sk-test' });
    const r = router([deployment(a, 'main'), { modelName: 'main', model: ready }]);
    const agent = new ToolCallingAgent({ model: r, tools: [lookup] });
    const result = (await agent.arun('define smol', { returnFullResult: true }));
    expect(result.state).toBe('success');
    expect(String(result.output)).toContain('definition of define smol');
    expect(a.requestCount + b.requestCount).toBe(3);
    expect(a.requestCount).toBeGreaterThan(0);
    expect(b.requestCount).toBeGreaterThan(0);
  });
});

describe('LiteLLMRouterModel: secrets', () => {
  it('inspecting the router never shows a deployment key', async () => {
    const s = await mock();
    const r = new LiteLLMRouterModel({ modelId: 'main', modelList: [{ modelName: 'main', litellmParams: { model: 'mock-model', baseURL: s.baseURL, apiKey: 'sk-router-secret-123456' } }] });
    await r.agenerate(hi);
    const { inspect } = await import('node:util');
    expect(inspect(r, { depth: 8 })).not.toContain('sk-router-secret-123456');
    expect(JSON.stringify(r)).not.toContain('sk-router-secret-123456');
  });
});
