import { describe, expect, it } from 'vitest';
import { describeCause, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes given secrets and key-shaped strings of every provider', () => {
    expect(redactSecrets('bad key sk-proj-AbCdEf123456 here')).toBe('bad key sk-*** here');
    expect(redactSecrets('anthropic sk-ant-api03-XYZ123abc')).toBe('anthropic sk-ant-***');
    expect(redactSecrets('token hf_abcdefGHIJ12 leaked')).toBe('token hf_*** leaked');
    expect(redactSecrets('my plain-secret-value leaked', ['plain-secret-value'])).toBe('my *** leaked');
  });
  it('names the innermost cause with its code', () => {
    const inner = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    expect(describeCause(new TypeError('fetch failed', { cause: inner }))).toBe('ECONNREFUSED: connect refused');
  });
});

describe('sanitizeError', () => {
  it('rebuilds the cause chain without secrets or headers, keeping status, type and request id', async () => {
    const { inspect } = await import('node:util');
    const { SecretSet, sanitizeError } = await import('./redact.js');
    const secrets = new SecretSet();
    secrets.add('my-custom-key-123');
    secrets.addHeaders({ 'x-tenant-token': 'tenant-secret-456' });
    secrets.addUrl('https://user:url-password-789@example.com/v1?api-key=query-key-000');
    expect(secrets.redact('url-password-789 query-key-000')).toBe('*** ***');
    const raw = Object.assign(new Error('401 echo: Bearer my-custom-key-123 tenant-secret-456'), {
      status: 401,
      type: 'invalid_request_error',
      requestID: 'req_1',
      headers: { authorization: 'Bearer my-custom-key-123' },
      cause: new Error('inner tenant-secret-456'),
    });
    const safe = sanitizeError(raw, (t) => secrets.redact(t))!;
    const printed = inspect(safe, { depth: 10 }) + String(safe.stack);
    expect(printed).not.toContain('my-custom-key-123');
    expect(printed).not.toContain('tenant-secret-456');
    expect(safe).toMatchObject({ status: 401, type: 'invalid_request_error', requestId: 'req_1' });
    expect((safe as unknown as Record<string, unknown>).headers).toBeUndefined();
    expect((safe.cause as Error).message).toBe('inner ***');
    expect(inspect(secrets)).not.toContain('my-custom-key-123');
    expect(JSON.stringify(secrets)).not.toContain('my-custom-key-123');
  });
});
