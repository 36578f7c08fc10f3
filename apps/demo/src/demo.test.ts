import { startMockLlmServer } from '@smol/testing';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './args.js';
import { main } from './main.js';
import { providerFromEnv } from './model.js';
import { SIMULATED_LABEL, basketIn, citiesIn } from './simulated.js';
import { io } from '../test/helpers.js';

describe('pnpm demo (in-process)', () => {
  it('runs on the labelled simulated model with no keys: live steps, answers, and the timing with the speedup', async () => {
    const streams = io();
    const code = await main(['--agents', '4', '--latency-ms', '40'], streams);
    const out = streams.stdout.text;
    expect(streams.stderr.text).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(SIMULATED_LABEL);
    expect(out).toContain('→ get_weather({"city":"Paris"})');
    expect(out).toMatch(/Observation: .*in Tokyo/);
    expect(out).toMatch(/Final answer: .*Paris.*Tokyo/);
    // The CodeAgent ran its code in the sandbox, calling the tool from it.
    expect(out).toContain('const price = await get_price({ item });');
    expect(out).toContain('3 x apple at 0.5 EUR');
    expect(out).toContain('Final answer: 3 x apple and 2 x pear cost 3.00 EUR');
    expect(out).toMatch(/sequential: 4\/4 agents done/);
    expect(out).toMatch(/concurrent: 4\/4 agents done/);
    // The speedup is printed; its size is a benchmark's business (the machine is shared and noisy).
    const speedup = Number(/speedup: ([\d.]+)x/.exec(out)?.[1]);
    expect(speedup).toBeGreaterThan(0);
  });

  it('draws a progress bar on a terminal', async () => {
    const streams = io({}, true);
    expect(await main(['--only', 'perf', '--agents', '3', '--latency-ms', '10'], streams)).toBe(0);
    expect(streams.stdout.text).toContain('\r\u001b[2K');
    expect(streams.stdout.text).toContain('█'.repeat(30));
  });

  it('a wrong key gives one clear line on stderr and exit code 1, without the key or a stack trace', async () => {
    const mock = await startMockLlmServer({ faults: () => ({ status: 401 }) });
    try {
      const streams = io({ OPENAI_API_KEY: 'sk-wrong-key-1234' });
      const code = await main(['--provider', 'openai', '--base-url', mock.baseURL, '--only', 'showcase'], streams);
      const err = streams.stderr.text;
      expect(code).toBe(1);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^error: .*401/);
      expect(err).not.toContain('sk-wrong');
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      await mock.close();
    }
  });

  it('uses the provider of the environment keys, with the model given', async () => {
    const mock = await startMockLlmServer({ latencyMs: 0 });
    try {
      const streams = io({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: mock.baseURL });
      const code = await main(['--model', 'my-model', '--only', 'perf', '--agents', '2'], streams);
      expect(streams.stderr.text).toBe('');
      expect(code).toBe(0);
      expect(streams.stdout.text).toContain(`openai model my-model`);
      expect(streams.stdout.text).not.toContain(SIMULATED_LABEL);
      expect(mock.requests[0].body.model).toBe('my-model');
    } finally {
      await mock.close();
    }
  });

  it('uses Azure OpenAI with --provider azure (deployment path, api-key)', async () => {
    const mock = await startMockLlmServer();
    try {
      const streams = io({ AZURE_OPENAI_API_KEY: 'azure-key' });
      const code = await main(['--provider', 'azure', '--base-url', mock.url, '--model', 'my-deployment', '--only', 'perf', '--agents', '2'], streams);
      expect(streams.stderr.text).toBe('');
      expect(code).toBe(0);
      expect(mock.requests[0].deployment).toBe('my-deployment');
    } finally {
      await mock.close();
    }
  });

  it.each([
    ['hf', { HF_TOKEN: 'hf_test' }, (url: string) => `${url}/v1`],
    ['litellm', { LITELLM_API_KEY: 'sk-proxy' }, (url: string) => url],
  ] as const)('uses %s from its environment key against an OpenAI-compatible endpoint', async (provider, env, base) => {
    const mock = await startMockLlmServer();
    try {
      const streams = io({ ...env });
      const code = await main(['--provider', provider, '--base-url', base(mock.url), '--model', 'm1', '--only', 'perf', '--agents', '2'], streams);
      expect(streams.stderr.text).toBe('');
      expect(code).toBe(0);
      expect(streams.stdout.text).toContain(`${provider} model m1`);
      expect(mock.requestCount).toBeGreaterThanOrEqual(8);
    } finally {
      await mock.close();
    }
  });

  it('rejects bad options with the usage and exit code 2', async () => {
    const streams = io();
    expect(await main(['--agents', 'many'], streams)).toBe(2);
    expect(streams.stderr.text).toContain('--agents must be an integer');
    expect(streams.stderr.text).toContain('Usage: pnpm demo');
    expect(await main(['frobnicate'], io())).toBe(2);
    expect(await main(['--provider', 'nope'], io())).toBe(2);
  });
});

describe('options and the simulated model', () => {
  it('parses commands and options', () => {
    expect(parseDemoArgs([])).toMatchObject({ command: 'demo', agents: 10, showcase: true, perf: true });
    expect(parseDemoArgs(['serve', '--port', '0', '--max-concurrent', '2'])).toMatchObject({ command: 'serve', port: 0, maxConcurrent: 2 });
    expect(parseDemoArgs(['--', 'serve'])).toMatchObject({ command: 'serve' });
    expect(parseDemoArgs(['--agents', '20'])).toMatchObject({ agents: 20 });
  });

  it('picks the provider from the environment', () => {
    expect(providerFromEnv({})).toBeUndefined();
    expect(providerFromEnv({ OPENAI_API_KEY: 'k' })).toBe('openai');
    expect(providerFromEnv({ ANTHROPIC_API_KEY: 'k' })).toBe('anthropic');
    expect(providerFromEnv({ HF_TOKEN: 'k' })).toBe('hf');
    expect(providerFromEnv({ AZURE_OPENAI_API_KEY: 'k' })).toBe('azure');
    expect(providerFromEnv({ LITELLM_PROXY_URL: 'http://x' })).toBe('litellm');
  });

  it('reads cities and grocery baskets from tasks', () => {
    expect(citiesIn('What is the weather in Paris and New York?')).toEqual(['Paris', 'New York']);
    expect(basketIn('How much do 3 apples and 2 pears cost?')).toEqual({ apple: 3, pear: 2 });
    expect(basketIn('a coffee and 2 bananas')).toEqual({ coffee: 1, banana: 2 });
  });
});
