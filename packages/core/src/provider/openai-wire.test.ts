import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.js';
import { WireStreamMapper, fromWireCompletion, toWireMessages, toWireToolChoice } from './openai-wire.js';
import { httpErrorToModelError } from './errors.js';

describe('OpenAI wire mapping', () => {
  it('sends a shared (frozen) system prompt already encoded with encodeShared, and the body is the same JSON', () => {
    const prompt = 'You are "smol".\nRules:\n1. Call a tool.\t\u00e9\u2028';
    const system = Object.freeze({ role: 'system' as const, content: prompt });
    const messages = [system, { role: 'user' as const, content: 'New task:\nDefine "x"' }];
    const plain = toWireMessages(messages);
    const encoded = toWireMessages(messages, true);
    expect(JSON.stringify(encoded)).toBe(JSON.stringify(plain));
    expect(JSON.parse(JSON.stringify(encoded))[0].content).toBe(prompt);
    expect(typeof plain[0].content).toBe('string');
    expect(typeof encoded[0].content).toBe('object');
    // Made once per shared message: every call of every run sends the same object.
    expect(toWireMessages(messages, true)[0]).toBe(encoded[0]);
    // Only shared system messages: a message a run made (not frozen) goes as text.
    expect(toWireMessages([{ role: 'system', content: prompt }], true)[0].content).toBe(prompt);
    expect(encoded[1]).toEqual({ role: 'user', content: 'New task:\nDefine "x"' });
  });

  it('converts images to image_url parts and non-user parts to text', () => {
    const out = toWireMessages([
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
    expect(toWireToolChoice({ type: 'function', function: { name: 'f' } })).toEqual({ type: 'function', function: { name: 'f' } });
    expect(toWireToolChoice('auto')).toBe('auto');
  });

  it('counts cumulative streamed usage once (servers that repeat it per chunk)', () => {
    const mapper = new WireStreamMapper('OpenAI');
    const chunk = (n: number, finish: string | null = null) =>
      ({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: n, total_tokens: 10 + n } }) as never;
    const usages = [mapper.map(chunk(1)), mapper.map(chunk(2)), mapper.map(chunk(3, 'stop'))].map((d) => d?.tokenUsage);
    expect(usages).toEqual([
      { inputTokens: 10, outputTokens: 1, totalTokens: 11 },
      { inputTokens: 0, outputTokens: 1, totalTokens: 1 },
      { inputTokens: 0, outputTokens: 1, totalTokens: 1 },
    ]);
    expect(() => mapper.finish()).not.toThrow();
    expect(() => new WireStreamMapper('LiteLLM').finish()).toThrow(/^LiteLLM: the stream ended/);
  });

  it('rejects a completion without choices', () => {
    expect(() => fromWireCompletion({ choices: [] }, 'OpenAI')).toThrow(ModelError);
  });

  it('reads legacy TGI shapes: tool_calls as one object, arguments as an object, numeric ids', () => {
    const mapper = new WireStreamMapper('Hugging Face');
    const d = mapper.map({ choices: [{ delta: { tool_calls: { id: 7, type: 'function', function: { name: 'f', arguments: { a: 1 } } } }, finish_reason: 'stop' }] });
    expect(d?.toolCalls).toEqual([{ index: 0, id: '7', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]);
    const m = fromWireCompletion({ choices: [{ message: { content: null, tool_calls: [{ id: 3, function: { name: 'f', arguments: { a: 1 } } }] } }] }, 'Hugging Face');
    expect(m.toolCalls).toEqual([{ id: '3', type: 'function', function: { name: 'f', arguments: { a: 1 } } }]);
  });
});

describe('httpErrorToModelError', () => {
  const at = { provider: 'OpenAI-compatible server', host: '127.0.0.1:1234', modelId: 'gpt-x' };
  it('names provider and host, keeps the status, and ends in one period', () => {
    const e = httpErrorToModelError({ status: 404, detail: 'The model `gpt-x` does not exist.' }, at);
    expect(e.message).toBe('OpenAI-compatible server at 127.0.0.1:1234 answered 404: The model `gpt-x` does not exist. It does not know the model "gpt-x", or the endpoint does not exist; check modelId and baseURL.');
    expect(e.message).not.toMatch(/\.\./);
    expect([e.status, e.retryable]).toEqual([404, false]);
  });
  it('retries 429 and 5xx but not a quota error, and keeps Retry-After', () => {
    expect(httpErrorToModelError({ status: 429, detail: 'slow down', retryAfterMs: 5 }, at)).toMatchObject({ retryable: true, retryAfterMs: 5 });
    expect(httpErrorToModelError({ status: 503, detail: 'x' }, at).retryable).toBe(true);
    expect(httpErrorToModelError({ status: 429, detail: 'x', type: 'insufficient_quota' }, at).retryable).toBe(false);
    expect(ModelError.isInstance(httpErrorToModelError({ status: undefined, detail: 'boom', type: 'server_error', retryable: true }, at))).toBe(true);
  });
});
