// SSRF: the model chooses the URL, so every address is checked after DNS resolution and on every redirect.
import type { ToolContext } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type TestServer } from '../__fixtures__/serve.ts';
import { visitWebpage } from '../visit-webpage.ts';
import { AddressPolicy } from './address-policy.ts';
import { WebClient, type Lookup } from './web-client.ts';

const ctx = (): ToolContext => ({ signal: new AbortController().signal, runId: 'r', state: {} });

// A resolver standing in for public DNS: names that resolve to what an attacker would pick.
const fakeDns: Record<string, { address: string; family: number }[]> = {
  'localhost-alias.test': [{ address: '127.0.0.1', family: 4 }],
  'intranet.test': [{ address: '10.0.0.7', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'v6-loopback.test': [{ address: '::1', family: 6 }],
  'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'rebind.test': [
    { address: '93.184.215.14', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
};
const lookup: Lookup = (host, cb) => {
  const answer = fakeDns[host];
  if (answer) cb(null, answer);
  else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
};

let server: TestServer;
beforeAll(async () => {
  server = await serve({
    '/page': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('secret intranet page'),
    '/to-metadata': (_q, r) => r.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/to-intranet': (_q, r) => r.writeHead(301, { location: 'http://intranet.test/admin' }).end(),
    '/to-v6': (_q, r) => r.writeHead(307, { location: 'http://[::1]/' }).end(),
    '/to-file': (_q, r) => r.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  });
});
afterAll(() => server.close());

describe('visit_webpage refuses addresses that are not public, by default', () => {
  const visit = visitWebpage({ lookup });

  it.each([
    ['http://localhost-alias.test/', 'Refused to connect to localhost-alias.test (127.0.0.1): it is a loopback address'],
    ['http://intranet.test/', 'Refused to connect to intranet.test (10.0.0.7): it is a private network address (RFC 1918)'],
    ['http://metadata.test/latest/meta-data/', 'Refused to connect to metadata.test (169.254.169.254): it is a link-local address (the cloud metadata service)'],
    ['http://169.254.169.254/latest/meta-data/', 'Refused to connect to 169.254.169.254: it is a link-local address (the cloud metadata service)'],
    ['http://v6-loopback.test/', 'Refused to connect to v6-loopback.test (::1): it is a loopback address'],
    ['http://[::1]:8080/', 'Refused to connect to ::1: it is a loopback address'],
    ['http://mapped.test/', 'it is a loopback address'],
    ['http://rebind.test/', 'Refused to connect to rebind.test (127.0.0.1): it is a loopback address'],
    ['http://127.0.0.1/', 'Refused to connect to 127.0.0.1: it is a loopback address'],
    ['http://2130706433/', 'Refused to connect to 127.0.0.1: it is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'it is a loopback address'],
    ['http://[::ffff:169.254.169.254]/', 'the cloud metadata service'],
    ['http://0x7f.1/', 'Refused to connect to 127.0.0.1: it is a loopback address'],
    ['http://[fd00::1]/', 'it is a private network address (IPv6 unique local)'],
    ['http://100.64.1.1/', 'carrier-grade NAT'],
    ['http://0.0.0.0/', 'an unspecified address'],
    ['file:///etc/passwd', 'Refused file: URL: only http and https URLs can be fetched.'],
    ['ftp://example.com/', 'Refused ftp: URL'],
    ['javascript:alert(1)', 'Refused javascript: URL'],
    ['localhost-alias.test/admin', 'Refused to connect to localhost-alias.test (127.0.0.1)'],
  ])('%s', async (url, message) => {
    const out = await visit.forward({ url }, ctx());
    expect(out.startsWith('Error: ')).toBe(true);
    expect(out).toContain(message);
  });

  it('refuses a local server, which the option allows explicitly', async () => {
    expect(await visit.forward({ url: `${server.url}/page` }, ctx())).toMatch(/^Error: Refused to connect to 127\.0\.0\.1: it is a loopback address/);
    expect(await visitWebpage({ allowPrivateNetwork: true }).forward({ url: `${server.url}/page` }, ctx())).toBe('secret intranet page');
  });
});

describe('every redirect is checked again', () => {
  // 127.0.0.1 stands in for a public site: only it is allowed, so each redirect target is judged on its own.
  const visit = visitWebpage({ lookup, allowPrivateNetwork: ['127.0.0.1/32'] });

  it.each([
    ['/to-metadata', 'Refused to connect to 169.254.169.254: it is a link-local address (the cloud metadata service)'],
    ['/to-intranet', 'Refused to connect to intranet.test (10.0.0.7): it is a private network address (RFC 1918)'],
    ['/to-v6', 'Refused to connect to ::1: it is a loopback address'],
    ['/to-file', 'Refused file: URL'],
  ])('%s', async (path, message) => {
    const out = await visit.forward({ url: `${server.url}${path}` }, ctx());
    expect(out).toBe(`Error: ${out.slice(7)}`);
    expect(out).toContain(message);
  });
});

describe('WebClient', () => {
  it('sends credentials only to the origin they were meant for', async () => {
    const other = await serve({ '/landing': (_q, r) => r.writeHead(200).end('ok') });
    try {
      server.route('/cross', (_q, r) => r.writeHead(302, { location: `http://localhost:${other.port}/landing` }).end());
      const client = new WebClient({ allowPrivateNetwork: true });
      const res = await client.fetch(`${server.url}/cross`, { signal: new AbortController().signal, headers: { authorization: 'Bearer sk-secret', 'x-api-key': 'k' } });
      expect(res.status).toBe(200);
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-secret');
      expect(other.requests[0].headers.authorization).toBeUndefined();
      expect(other.requests[0].headers['x-api-key']).toBeUndefined();
      await client.close();
    } finally {
      await other.close();
    }
  });

  it('an allow-list of ranges must be CIDR', () => {
    expect(() => new AddressPolicy(['not-a-range'])).toThrow(/not a CIDR range/);
    expect(new AddressPolicy(['10.0.0.0/8']).refusal('10.1.2.3')).toBeUndefined();
    expect(new AddressPolicy(['10.0.0.0/8']).refusal('192.168.1.1')).toMatch(/private/);
    expect(new AddressPolicy().refusal('8.8.8.8')).toBeUndefined();
    expect(new AddressPolicy().refusal('2606:4700:4700::1111')).toBeUndefined();
  });
});
