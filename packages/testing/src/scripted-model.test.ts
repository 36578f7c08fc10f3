import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ModelError, StreamAccumulator, type ChatMessage, type ChatMessageStreamDelta } from '@smol/core';
import { collectStream as collect, ScriptedModel, ScriptExhaustedError } from './index.js';

const task: ChatMessage[] = [{ role: 'user', content: 'What is 6 * 7?' }];

describe('ScriptedModel', () => {
  it('returns the replies in order, with usage, and records each call', async () => {
    const model = new ScriptedModel(['first', { content: 'second', tokenUsage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }]);
    const a = await model.agenerate(task, { temperature: 0 });
    const b = await model.agenerate([...task, a]);
    expect(a.role).toBe('assistant');
    expect(a.content).toBe('first');
    expect(a.tokenUsage!.inputTokens).toBeGreaterThan(0);
    expect(a.tokenUsage!.outputTokens).toBeGreaterThan(0);
    expect(a.tokenUsage!.totalTokens).toBe(a.tokenUsage!.inputTokens + a.tokenUsage!.outputTokens);
    expect(b).toMatchObject({ content: 'second', tokenUsage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } });
    expect(model.callCount).toBe(2);
    expect(model.remaining).toBe(0);
    expect(model.calls[0]).toMatchObject({ messages: task, options: { temperature: 0 }, stream: false });
    expect(model.calls[1].messages).toHaveLength(2);
    expect(model.modelId).toBe('scripted-model');
  });

  it('accepts tool calls in the short and the full form', async () => {
    const model = new ScriptedModel([
      {
        toolCalls: [
          { name: 'search', arguments: { query: 'x' } },
          { id: 'c2', type: 'function', function: { name: 'final_answer', arguments: '{"answer":42}' } },
        ],
      },
    ]);
    const m = await model.agenerate(task);
    expect(m.toolCalls).toEqual([
      { id: 'call_0_0', type: 'function', function: { name: 'search', arguments: { query: 'x' } } },
      { id: 'c2', type: 'function', function: { name: 'final_answer', arguments: { answer: 42 } } },
    ]);
  });

  it('streams content in several deltas and tool-call arguments in fragments, usage last', async () => {
    const reply = {
      content: 'I will look this up for you now.',
      toolCalls: [
        { name: 'search', arguments: { query: 'the capital of France', limit: 3 } },
        { name: 'lookup', arguments: 'not json {' },
      ],
    };
    const model = new ScriptedModel([reply, reply]);
    const deltas = await collect(model.agenerateStream(task));
    expect(deltas.filter((d) => d.content).length).toBeGreaterThanOrEqual(3);
    const fragments = deltas.filter((d) => d.toolCalls?.[0]?.index === 0 && d.toolCalls[0].function?.arguments);
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    const firstOfCall = deltas.find((d) => d.toolCalls?.[0]?.index === 0)!;
    expect(firstOfCall.toolCalls![0]).toMatchObject({ id: 'call_0_0', type: 'function', function: { name: 'search' } });
    expect(deltas.at(-1)!.tokenUsage).toBeDefined();
    expect(deltas.filter((d) => d.tokenUsage)).toHaveLength(1);

    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    const streamed = acc.toMessage();
    const direct = await model.agenerate(task);
    expect(streamed.content).toBe(reply.content);
    expect(streamed.toolCalls!.map((c) => c.function)).toEqual([
      { name: 'search', arguments: { query: 'the capital of France', limit: 3 } },
      { name: 'lookup', arguments: 'not json {' },
    ]);
    expect(direct.toolCalls!.map((c) => c.function)).toEqual(streamed.toolCalls!.map((c) => c.function));
    expect(streamed.tokenUsage).toEqual(direct.tokenUsage);
    expect(model.calls.map((c) => c.stream)).toEqual([true, false]);
  });

  it('keeps surrogate pairs whole across deltas', async () => {
    const text = '😀😀😀😀😀😀😀';
    const model = new ScriptedModel([text], { chunkChars: 3 });
    const deltas = await collect(model.agenerateStream(task));
    for (const d of deltas) if (d.content) expect(d.content).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    expect(deltas.map((d) => d.content ?? '').join('')).toBe(text);
  });

  it('takes a function of (messages, options, callIndex), sync or async', async () => {
    const model = new ScriptedModel(async (messages, options, i) => `call ${i}: ${messages.length} messages, t=${String(options.temperature)}`);
    expect((await model.agenerate(task, { temperature: 1 })).content).toBe('call 0: 1 messages, t=1');
    expect((await model.agenerate(task)).content).toBe('call 1: 1 messages, t=undefined');
    expect(model.remaining).toBe(Infinity);
  });

  it('throws Error replies, e.g. a ModelError, from agenerate and from the stream', async () => {
    const err = new ModelError('rate limited', { status: 429, retryable: true });
    const model = new ScriptedModel([err, err, 'ok']);
    await expect(model.agenerate(task)).rejects.toBe(err);
    await expect(collect(model.agenerateStream(task))).rejects.toBe(err);
    expect((await model.agenerate(task)).content).toBe('ok');
  });

  it('throws a clear error when the script runs out', async () => {
    const model = new ScriptedModel(['only one']);
    await model.agenerate(task);
    const error = await model.agenerate(task).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptExhaustedError);
    expect((error as Error).message).toMatch(/1 reply and call #2/);
    await expect(collect(model.agenerateStream(task))).rejects.toThrow(ScriptExhaustedError);
    model.push('more');
    expect((await model.agenerate(task)).content).toBe('more');
  });

  it('records a stream call when it is made, not when iterated', async () => {
    const model = new ScriptedModel(['a', 'b']);
    const s1 = model.agenerateStream(task);
    const s2 = model.agenerateStream(task);
    expect(model.callCount).toBe(2);
    expect((await collect(s2)).map((d) => d.content ?? '').join('')).toBe('b');
    expect((await collect(s1)).map((d) => d.content ?? '').join('')).toBe('a');
  });

  it('rejects promptly with the signal reason during the delay, and leaves no listener', async () => {
    const model = new ScriptedModel(['late'], { delayMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const started = Date.now();
    const pending = model.agenerate(task, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once on an aborted signal', async () => {
    const model = new ScriptedModel(['x', 'y']);
    const signal = AbortSignal.abort('gone');
    await expect(model.agenerate(task, { signal })).rejects.toBe('gone');
    await expect(collect(model.agenerateStream(task, { signal }))).rejects.toBe('gone');
  });

  it('stops a stream mid-way when the signal aborts', async () => {
    const model = new ScriptedModel(['a long answer that comes in many small pieces'], { chunkChars: 2, chunkDelayMs: 5 });
    const controller = new AbortController();
    const seen: ChatMessageStreamDelta[] = [];
    const error = await (async () => {
      for await (const d of model.agenerateStream(task, { signal: controller.signal })) {
        seen.push(d);
        if (seen.length === 3) controller.abort(new Error('user cancelled'));
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('user cancelled');
    expect(seen).toHaveLength(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('races a slow reply function against the signal', async () => {
    const model = new ScriptedModel(() => new Promise<string>(() => {}));
    const controller = new AbortController();
    const pending = model.agenerate(task, { signal: controller.signal });
    controller.abort('cancelled');
    await expect(pending).rejects.toBe('cancelled');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('serves 10,000 calls quickly', async () => {
    const model = new ScriptedModel((_m, _o, i) => ({ toolCalls: [{ name: 'tool', arguments: { i } }] }));
    const started = performance.now();
    await Promise.all(Array.from({ length: 10_000 }, () => model.agenerate(task)));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(model.callCount).toBe(10_000);
  });
});
