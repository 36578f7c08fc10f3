// Issue 13: header values given to the HTTP transport never reach an error's message, stack or cause chain,
// even when the server quotes the request headers back.
import { ECHO_MARKER, errorSurfaces, startHeaderEchoServer, type EchoReply, type HeaderEchoServer } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpClient } from './index.js';

const TOKEN = 'Zq9-mcp-custom-secret-77';
let server: HeaderEchoServer;
beforeAll(async () => {
  server = await startHeaderEchoServer();
});
afterAll(() => server.close());

describe('McpClient over HTTP: secrets never leak', () => {
  for (const reply of [400, 401, 429, 500] as EchoReply[]) {
    it(`${reply} while connecting`, async () => {
      server.reply(reply);
      const error = await McpClient.connect({ url: `${server.url}/mcp`, headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant-token': TOKEN } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
      const text = errorSurfaces(error);
      expect(text).toContain(ECHO_MARKER);
      expect(text).not.toContain(TOKEN);
    });
  }
});
