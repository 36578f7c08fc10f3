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
