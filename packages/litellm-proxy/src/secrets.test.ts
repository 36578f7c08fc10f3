// Issue 13: no configured secret reaches an error, its cause chain, the memory, the events, the logs or the spans,
// even when the server echoes every request header back.
import { ModelError } from '@smol/core';
import { ECHO_MARKER, leakReport, runSurfaces, startHeaderEchoServer, type EchoReply, type HeaderEchoServer } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiteLLMModel, LiteLLMRouterModel } from './index.js';

// Not key-shaped, so only the model's own redaction can hide them.
const KEY = 'Zq9-litellm-custom-secret-77';
const HEADER_SECRET = 'tenant-token-secret-88';
const SECRETS = [KEY, HEADER_SECRET];

let server: HeaderEchoServer;
beforeAll(async () => {
  server = await startHeaderEchoServer();
});
afterAll(() => server.close());

const model = (apiKey: string | (() => Promise<string>) = KEY) =>
  new LiteLLMModel({ modelId: 'gpt-x', baseURL: server.url, apiKey, headers: { 'x-tenant-token': HEADER_SECRET }, maxRetries: 0 });

describe('LiteLLMModel: secrets never leak', () => {
  for (const reply of [400, 401, 429, 500, 'stream'] as EchoReply[]) {
    it(`${reply}: not in the error, its causes, events, memory, logs or spans`, async () => {
      server.reply(reply);
      const report = await leakReport(() => model(), SECRETS);
      expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${KEY}`); // the secrets were sent and echoed
      expect(report.echoed).toBe(true);
      expect(report.leaked).toEqual([]);
      expect(report.runError).toBeTruthy();
      expect(ModelError.isInstance(report.directError)).toBe(true);
    });
  }

  it('a key given as a function is redacted too', async () => {
    server.reply(401, 500);
    const keyFn = async () => KEY;
    const report = await leakReport(() => model(keyFn), SECRETS);
    expect(report.echoed).toBe(true);
    expect(report.leaked).toEqual([]);
  });

  it('the router passes on its deployments\' sanitized errors', async () => {
    server.reply(401, 500, 'stream');
    const router = new LiteLLMRouterModel({
      modelId: 'main',
      maxRetries: 0,
      modelList: [
        { modelName: 'main', litellmParams: { model: 'a', baseURL: server.url, apiKey: KEY }, modelOptions: { headers: { 'x-tenant-token': HEADER_SECRET } } },
        { modelName: 'main', litellmParams: { model: 'b', baseURL: server.url, apiKey: KEY }, modelOptions: { headers: { 'x-tenant-token': HEADER_SECRET } } },
      ],
    });
    const { text } = await runSurfaces(router);
    expect(text).toContain(ECHO_MARKER);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
