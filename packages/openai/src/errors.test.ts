import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelError } from '@smol/core';
import { describe, expect, it } from 'vitest';
import { OpenAIServerModel, mapOpenAIError } from './index.js';

describe('mapOpenAIError', () => {
  it('maps unknown errors without losing the provider name', () => {
    const e = mapOpenAIError(new SyntaxError('Error reading response: malformed server-sent event JSON.'), { provider: 'LiteLLM proxy', host: 'localhost:4000' });
    expect(e.message).toMatch(/^LiteLLM proxy at localhost:4000: call failed/);
    expect(e.retryable).toBe(false);
  });

  it('a refused connection is a retryable ModelError', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const { port } = dead.address() as AddressInfo;
    await new Promise((r) => dead.close(r));
    const model = new OpenAIServerModel({ modelId: 'm', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-x', maxRetries: 0 });
    const err = (await model.agenerate([{ role: "user", content: "hi" }]).catch((e: unknown) => e)) as ModelError;
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(new RegExp(`Could not reach OpenAI-compatible server at 127.0.0.1:${port}: .*ECONNREFUSED`));
  });
});
