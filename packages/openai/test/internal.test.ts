import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelError } from '@smol/core';
import { describe, expect, it } from 'vitest';
import {
  OpenAIServerModel,
  OpenAIStreamMapper,
  fromOpenAICompletion,
  mapOpenAIError,
  redactSecrets,
  toOpenAIMessages,
  toOpenAIToolChoice,
} from '../src/internal/index.js';

describe('@smol/openai/internal', () => {
  it('converts images to image_url parts and non-user parts to text', () => {
    const out = toOpenAIMessages([
      { role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', image: 'https://example.com/cat.png' },
          { type: 'image', image: new Uint8Array([1, 2, 3]), mediaType: 'image/jpeg' },
        ],
      },
      { role: 'assistant', content: null, toolCalls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] },
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'a\nb' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AQID' } },
        ],
      },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'one\ntwo' },
    ]);
  });

  it('maps a named tool choice', () => {
    expect(toOpenAIToolChoice({ type: 'function', function: { name: 'f' } })).toEqual({ type: 'function', function: { name: 'f' } });
    expect(toOpenAIToolChoice('auto')).toBe('auto');
  });

  it('counts cumulative streamed usage once (servers that repeat it per chunk)', () => {
    const mapper = new OpenAIStreamMapper();
    const chunk = (n: number, finish: string | null = null) =>
      ({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: n, total_tokens: 10 + n } }) as never;
    const usages = [mapper.map(chunk(1)), mapper.map(chunk(2)), mapper.map(chunk(3, 'stop'))].map((d) => d?.tokenUsage);
    expect(usages).toEqual([
      { inputTokens: 10, outputTokens: 1, totalTokens: 11 },
      { inputTokens: 0, outputTokens: 1, totalTokens: 1 },
      { inputTokens: 0, outputTokens: 1, totalTokens: 1 },
    ]);
    expect(() => mapper.finish()).not.toThrow();
    expect(() => new OpenAIStreamMapper('LiteLLM').finish()).toThrow(/LiteLLM stream ended/);
  });

  it('rejects a completion without choices', () => {
    expect(() => fromOpenAICompletion({ choices: [] } as never)).toThrow(ModelError);
  });

  it('redacts keys from messages', () => {
    expect(redactSecrets('bad key sk-proj-AbCdEf123456 here', [])).toBe('bad key sk-*** here');
    expect(redactSecrets('token mysecretvalue leaked', ['mysecretvalue'])).toBe('token *** leaked');
  });

  it('maps unknown errors without losing the provider name', () => {
    const e = mapOpenAIError(new SyntaxError('Error reading response: malformed server-sent event JSON.'), { provider: 'LiteLLM' });
    expect(e.message).toMatch(/^LiteLLM call failed/);
    expect(e.retryable).toBe(false);
  });

  it('a refused connection is a retryable ModelError', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const { port } = dead.address() as AddressInfo;
    await new Promise((r) => dead.close(r));
    const model = new OpenAIServerModel({ modelId: 'm', apiBase: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-x', retry: false });
    const err = (await model.agenerate([{ role: "user", content: "hi" }]).catch((e: unknown) => e)) as ModelError;
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/Could not reach OpenAI: .*ECONNREFUSED/);
  });
});
