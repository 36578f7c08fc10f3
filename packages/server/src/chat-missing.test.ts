// Without @smol/ai-sdk installed, POST /api/chat says what to install; the rest of the server works.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeServers, post, startServer } from '../test/helpers.js';

vi.mock('@smol/ai-sdk', () => {
  // What Node throws for a package that is not installed.
  throw Object.assign(new Error("Cannot find package '@smol/ai-sdk'"), { code: 'ERR_MODULE_NOT_FOUND' });
});

afterEach(closeServers);

describe('POST /api/chat without @smol/ai-sdk', () => {
  it('answers 501 naming the packages to install, and starts no run', async () => {
    const server = await startServer();
    const res = await post(`${server.url}/api/chat`, { id: 'c', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'Weather?' }] }] });
    expect(res.status).toBe(501);
    const body = await res.json();
    expect(body.error).toContain('npm i @smol/ai-sdk ai');
    expect(body).toMatchObject({ install: ['@smol/ai-sdk', 'ai'], missing: '@smol/ai-sdk' });
    expect(server.activeRuns).toBe(0);
    expect(server.model.calls).toHaveLength(0);
    expect((await post(`${server.url}/api/runs`, { task: 'Weather?' })).status).toBe(200);
  });
});
