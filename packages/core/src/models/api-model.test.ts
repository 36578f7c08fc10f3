import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AgentAbortError, ModelError, ModelStreamingNotSupportedError } from '../errors.js';
import type { ChatMessage, ChatMessageStreamDelta } from '../messages.js';
import { tool } from '../tools.js';
import { ApiModel, type ApiModelOptions, type ModelCallOptions } from './api-model.js';
import { readTokenUsage } from './token-usage.js';
import { toolSpec } from './tool-spec.js';
import { StopFilter } from './stop-filter.js';
import { RateLimiter } from './rate-limiter.js';

type Step = ChatMessage | Error | ((signal?: AbortSignal) => Promise<ChatMessage>);

class FakeModel extends ApiModel {
  calls: { messages: readonly ChatMessage[]; options: ModelCallOptions }[] = [];
  constructor(
    options: ApiModelOptions,
    private readonly steps: Step[] = [],
    private readonly streams: (ChatMessageStreamDelta | Error)[][] = [],
  ) {
    super(options);
  }
  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    this.calls.push({ messages, options });
    const step = this.steps.shift() ?? { role: 'assistant', content: 'default' };
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(options.signal);
    return step;
  }
  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    this.calls.push({ messages, options });
    const script = this.streams.shift() ?? [];
    for (const item of script) {
      if (item instanceof Error) throw item;
      yield item;
    }
  }
  protected toModelError(error: unknown): ModelError {
    const status = (error as { status?: number }).status;
    return new ModelError(`fake failed: ${(error as Error).message}`, { status, retryable: status === 429 || (status ?? 0) >= 500, cause: error });
  }
}

class NoStreamModel extends ApiModel {
  protected async generateOnce(): Promise<ChatMessage> {
    return { role: 'assistant', content: '' };
  }
  protected toModelError(error: unknown): ModelError {
    return new ModelError(String(error));
  }
}

const statusError = (status: number, message = `status ${status}`) => Object.assign(new Error(message), { status });
const fast = { initialDelayMs: 1, maxDelayMs: 10 };
const retryFast = { retryBackoff: fast };

async function drain(it: AsyncIterable<ChatMessageStreamDelta>): Promise<ChatMessageStreamDelta[]> {
  const out: ChatMessageStreamDelta[] = [];
  for await (const d of it) out.push(d);
  return out;
}

describe('ApiModel.prepareMessages', () => {
  const model = new FakeModel({ modelId: 'm' });
  it('converts tool roles and merges consecutive same-role messages without mutating input', () => {
    const input: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'task' },
      { role: 'tool-call', content: 'Calling tools: x' },
      { role: 'tool-response', content: 'Observation: 1' },
      { role: 'user', content: [{ type: 'text', text: 'more' }] },
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: 'b' },
    ];
    const snapshot = structuredClone(input);
    const out = model.prepareMessages(input);
    expect(out).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'task' },
      { role: 'assistant', content: 'Calling tools: x' },
      { role: 'user', content: [{ type: 'text', text: 'Observation: 1\nmore' }] },
      { role: 'assistant', content: 'a\nb' },
    ]);
    expect(input).toEqual(snapshot);
    expect(out[0]).toBe(input[0]); // unchanged messages are not copied
  });
  it('flattens content to text and honours custom role conversions', () => {
    const m = new FakeModel({ modelId: 'm', flattenMessagesAsText: true, customRoleConversions: { system: 'user' } });
    const out = m.prepareMessages([
      { role: 'system', content: [{ type: 'text', text: 's1' }, { type: 'image', image: 'https://x/y.png' }, { type: 'text', text: 's2' }] },
      { role: 'user', content: 'u' },
    ]);
    expect(out).toEqual([{ role: 'user', content: 's1\ns2\nu' }]);
  });
});

describe('ApiModel.agenerate', () => {
  it('passes tools as cached specs, merges default parameters and sends stops', async () => {
    const t = tool({ name: 'add', description: 'Adds', inputs: { a: { type: 'number', description: 'a' } }, execute: () => 1 });
    const m = new FakeModel({ modelId: 'm', modelParameters: { temperature: 0.1, max_tokens: 5 } });
    await m.agenerate([{ role: 'user', content: 'hi' }], { toolsToCallFrom: [t], toolChoice: 'required', stopSequences: ['X'], max_tokens: 9 });
    const { options } = m.calls[0];
    expect(options.tools).toEqual([{ name: 'add', description: 'Adds', parameters: { type: 'object', properties: { a: { type: 'number', description: 'a' } }, required: ['a'], additionalProperties: false } }]);
    expect(options.tools![0]).toBe(toolSpec(t));
    expect(options.toolChoice).toBe('required');
    expect(options.stopSequences).toEqual(['X']);
    expect(options.modelParameters).toEqual({ temperature: 0.1, max_tokens: 9 });
    expect(m.modelParameters).toEqual({ temperature: 0.1, max_tokens: 5 });
  });

  it('retries 429/5xx then succeeds; does not retry 4xx', async () => {
    const m = new FakeModel({ modelId: 'm', ...retryFast }, [statusError(429), statusError(500), { role: 'assistant', content: 'ok' }]);
    expect((await m.agenerate([{ role: 'user', content: 'x' }])).content).toBe('ok');
    expect(m.calls).toHaveLength(3);
    const bad = new FakeModel({ modelId: 'm', ...retryFast }, [statusError(400)]);
    await expect(bad.agenerate([])).rejects.toSatisfy((e: unknown) => ModelError.isInstance(e) && e.status === 400);
    expect(bad.calls).toHaveLength(1);
  });

  it('a retry sends the same prepared messages as the first attempt', async () => {
    const m = new FakeModel({ modelId: 'm', ...retryFast }, [statusError(503), { role: 'assistant', content: 'ok' }]);
    const input: ChatMessage[] = [
      { role: 'user', content: 'task' },
      { role: 'tool-response', content: 'Observation: 1' },
    ];
    await m.agenerate(input);
    expect(m.calls).toHaveLength(2);
    expect(m.calls[0].messages).toEqual([{ role: 'user', content: 'task\nObservation: 1' }]);
    expect(m.calls[1].messages).toEqual(m.calls[0].messages);
  });

  it('maxRetries: 0 makes one attempt', async () => {
    const m = new FakeModel({ modelId: 'm', maxRetries: 0 }, [statusError(500)]);
    await expect(m.agenerate([])).rejects.toThrow(/fake failed/);
    expect(m.calls).toHaveLength(1);
  });

  it('truncates at stop sequences client-side when the API does not support them', async () => {
    const m = new FakeModel({ modelId: 'm', supportsStopParameter: false }, [{ role: 'assistant', content: 'code here<end_code>\nObservation: junk' }]);
    const msg = await m.agenerate([], { stopSequences: ['Observation:', '<end_code>'] });
    expect(msg.content).toBe('code here');
    expect(m.calls[0].options.stopSequences).toBeUndefined();
  });

  it('aborts a pending call with AgentAbortError and leaves no listener', async () => {
    const ac = new AbortController();
    const m = new FakeModel({ modelId: 'm' }, [
      (signal) =>
        new Promise((_, reject) => {
          signal!.addEventListener('abort', () => reject(new Error('sdk aborted')), { once: true });
        }),
    ]);
    const p = m.agenerate([], { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('acquires the shared rate limiter before each attempt and records tokens', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 600, burst: 1, tokensPerMinute: 1_000_000 });
    const usage = { inputTokens: 3, outputTokens: 2, totalTokens: 5 };
    const a = new FakeModel({ modelId: 'a', rateLimiter: rl }, [{ role: 'assistant', content: 'x', tokenUsage: usage }]);
    const b = new FakeModel({ modelId: 'b', rateLimiter: rl }, [{ role: 'assistant', content: 'y' }]);
    expect(a.rateLimiter).toBe(rl);
    const t0 = performance.now();
    await Promise.all([a.agenerate([]), b.agenerate([])]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(80);
  });

  it('maxConcurrency: at most N requests of the model in flight, across all callers; the rest wait', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = () => async (): Promise<ChatMessage> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return { role: 'assistant', content: 'ok' };
    };
    const m = new FakeModel({ modelId: 'm', maxConcurrency: 3 }, Array.from({ length: 20 }, slow));
    const replies = await Promise.all(Array.from({ length: 20 }, () => m.agenerate([])));
    expect(replies.every((r) => r.content === 'ok')).toBe(true);
    expect(peak).toBe(3);
    expect(m.concurrency).toMatchObject({ active: 0, pending: 0 });
    // A caller that gives up while waiting leaves the queue and no listener.
    const blocked = new FakeModel({ modelId: 'b', maxConcurrency: 1 }, [() => new Promise((r) => setTimeout(() => r({ role: 'assistant', content: 'late' }), 50))]);
    const first = blocked.agenerate([]);
    const ac = new AbortController();
    const waiting = blocked.agenerate([], { signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await expect(first).resolves.toMatchObject({ content: 'late' });
    expect(blocked.concurrency).toMatchObject({ active: 0, pending: 0 });
    expect(() => new FakeModel({ modelId: 'x', maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });

  it('a 429 with Retry-After pauses the shared rate limiter for every model on it', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 60_000 });
    const a = new FakeModel({ modelId: 'a', rateLimiter: rl, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000 } }, [
      new ModelError('rate limited', { status: 429, retryable: true, retryAfterMs: 120 }),
      { role: 'assistant', content: 'a' },
    ]);
    const b = new FakeModel({ modelId: 'b', rateLimiter: rl }, [{ role: 'assistant', content: 'b' }]);
    const t0 = performance.now();
    const first = a.agenerate([]);
    // The next turn, not a timer: a loaded machine could sleep past the 120 ms pause.
    await new Promise((r) => setImmediate(r));
    expect(rl.ready).toBe(false);
    await b.agenerate([]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    await expect(first).resolves.toMatchObject({ content: 'a' });
  });
});

describe('ApiModel.agenerateStream', () => {
  it('retries before the first delta, never after', async () => {
    const m = new FakeModel({ modelId: 'm', ...retryFast }, [], [[statusError(503)], [{ content: 'he' }, { content: 'llo' }]]);
    expect((await drain(m.agenerateStream([]))).map((d) => d.content).join('')).toBe('hello');
    const late = new FakeModel({ modelId: 'm', ...retryFast }, [], [[{ content: 'he' }, statusError(503)], [{ content: 'never' }]]);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const d of late.agenerateStream([])) seen.push(d.content ?? '');
      })(),
    ).rejects.toSatisfy((e: unknown) => ModelError.isInstance(e) && e.status === 503);
    expect(seen).toEqual(['he']);
    expect(late.calls).toHaveLength(1);
  });

  it('cuts the stream at a stop sequence split across chunks', async () => {
    const m = new FakeModel({ modelId: 'm', supportsStopParameter: false }, [], [
      [{ content: 'print(1)<end' }, { content: '_co' }, { content: 'de>rest' }, { content: 'never' }],
    ]);
    const out = await drain(m.agenerateStream([], { stopSequences: ['<end_code>'] }));
    expect(out.map((d) => d.content).join('')).toBe('print(1)');
    expect(m.calls[0].options.stopSequences).toBeUndefined();
  });

  it('flushes held-back text when no stop appears', async () => {
    const m = new FakeModel({ modelId: 'm', supportsStopParameter: false }, [], [[{ content: 'abc' }, { content: 'de' }, { tokenUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }]]);
    const out = await drain(m.agenerateStream([], { stopSequences: ['STOP'] }));
    expect(out.map((d) => d.content ?? '').join('')).toBe('abcde');
    expect(out.filter((d) => d.tokenUsage)).toHaveLength(1);
  });

  it('throws ModelStreamingNotSupportedError naming the class', async () => {
    const m = new NoStreamModel({ modelId: 'x' });
    await expect(drain(m.agenerateStream([]))).rejects.toSatisfy(
      (e: unknown) => ModelStreamingNotSupportedError.isInstance(e) && /NoStreamModel/.test((e as Error).message),
    );
  });
});

describe('helpers', () => {
  it('readTokenUsage reads OpenAI and Anthropic shapes', () => {
    expect(readTokenUsage({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(readTokenUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(readTokenUsage(null)).toBeUndefined();
    expect(readTokenUsage({})).toBeUndefined();
  });
  it('StopFilter handles several stops and the earliest wins', () => {
    const f = new StopFilter(['Observation:', 'X']);
    expect(f.push('abc')).toBe('');
    expect(f.push('defX')).toBe('abcdef');
    expect(f.stopped).toBe(true);
  });
});

describe('ApiModel: timeoutMs and secrets', () => {
  it('timeoutMs limits one attempt; the timed-out attempt is retried and the error names the limit', async () => {
    const hang = (signal?: AbortSignal) => new Promise<ChatMessage>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const m = new FakeModel({ modelId: 'm', timeoutMs: 20, ...retryFast }, [hang, { role: 'assistant', content: 'ok' }]);
    await expect(m.agenerate([{ role: 'user', content: 'x' }])).resolves.toMatchObject({ content: 'ok' });
    const once = new FakeModel({ modelId: 'm', timeoutMs: 20, maxRetries: 0 }, [hang]);
    const err = (await once.agenerate([{ role: 'user', content: 'x' }]).catch((e: unknown) => e)) as ModelError;
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toBe('FakeModel did not answer within 20 ms (timeoutMs).');
  });
  it('no configured secret (key, key function result, header value) survives in an error', async () => {
    const { inspect } = await import('node:util');
    const leak = (secret: string) => Object.assign(new Error(`500 echo ${secret}`), { status: 500, headers: { authorization: secret }, cause: new Error(secret) });
    for (const [options, secret] of [
      [{ apiKey: 'plain-key-0001' }, 'plain-key-0001'],
      [{ headers: { 'x-api-token': 'header-secret-0002' } }, 'header-secret-0002'],
    ] as const) {
      const m = new FakeModel({ modelId: 'm', maxRetries: 0, ...options }, [leak(secret)], [[leak(secret)]]);
      const err = (await m.agenerate([{ role: 'user', content: 'x' }]).catch((e: unknown) => e)) as Error;
      const streamed = (await drain(m.agenerateStream([{ role: 'user', content: 'x' }])).catch((e: unknown) => e)) as Error;
      for (const e of [err, streamed]) {
        expect(ModelError.isInstance(e)).toBe(true);
        expect(inspect(e, { depth: 10 }) + e.stack + JSON.stringify(e)).not.toContain(secret);
      }
      expect(inspect(m, { depth: 10, showHidden: true })).not.toContain(secret);
    }
  });
  it("an SDK response that toAnswer reads becomes the answer; one it cannot read fails once, without the key", async () => {
    const { inspect } = await import('node:util');
    class RawModel extends FakeModel {
      protected override toAnswer(response: unknown): ChatMessage {
        const text = (response as { text?: string }).text;
        if (text === undefined) throw new Error(`no text in the answer to plain-key-0003: ${JSON.stringify(response)}`);
        return { role: 'assistant', content: text };
      }
    }
    const ok = new RawModel({ modelId: 'm' }, [{ text: 'read' } as unknown as ChatMessage]);
    await expect(ok.agenerate([{ role: 'user', content: 'x' }])).resolves.toEqual({ role: 'assistant', content: 'read' });
    // With stop sequences cut client-side, the read answer is what gets cut.
    const cut = new RawModel({ modelId: 'm', supportsStopParameter: false }, [{ text: 'keep STOP drop' } as unknown as ChatMessage]);
    await expect(cut.agenerate([{ role: 'user', content: 'x' }], { stopSequences: ['STOP'] })).resolves.toMatchObject({ content: 'keep ' });
    const bad = new RawModel({ modelId: 'm', apiKey: 'plain-key-0003', ...retryFast }, [{ nothing: true } as unknown as ChatMessage, { text: 'second' } as unknown as ChatMessage]);
    const err = (await bad.agenerate([{ role: 'user', content: 'x' }]).catch((e: unknown) => e)) as Error;
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.message).toContain('no text in the answer');
    expect(inspect(err, { depth: 10 }) + err.stack + JSON.stringify(err)).not.toContain('plain-key-0003');
    expect(bad.calls).toHaveLength(1);
  });
  it('a reader that stops early aborts the attempt\'s request, and no listener stays on the caller\'s signal', async () => {
    const m = new FakeModel({ modelId: 'm' }, [], [[{ content: 'a' }, { content: 'b' }]]);
    const caller = new AbortController();
    for await (const _ of m.agenerateStream([{ role: 'user', content: 'x' }], { signal: caller.signal })) break;
    expect(m.calls[0].options.signal?.aborted).toBe(true);
    expect(caller.signal.aborted).toBe(false);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
