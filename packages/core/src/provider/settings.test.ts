import { describe, expect, it } from 'vitest';
import { AgentConfigError } from '../errors.js';
import { loadApiKey, loadSetting } from './settings.js';

describe('loadSetting', () => {
  it('prefers the option, then the environment variable', () => {
    process.env.SMOL_TEST_SETTING = 'from-env';
    try {
      expect(loadSetting({ value: 'given', envVar: 'SMOL_TEST_SETTING', name: 'baseURL', provider: 'X' })).toBe('given');
      expect(loadSetting({ envVar: 'SMOL_TEST_SETTING', name: 'baseURL', provider: 'X' })).toBe('from-env');
    } finally {
      delete process.env.SMOL_TEST_SETTING;
    }
  });
  it('fails naming both the option and the variable, unless optional', () => {
    const read = () => loadApiKey({ envVar: 'SMOL_TEST_MISSING_KEY', provider: 'OpenAIServerModel' });
    expect(read).toThrow(AgentConfigError);
    expect(read).toThrow('OpenAIServerModel: no apiKey. Pass { apiKey } or set the SMOL_TEST_MISSING_KEY environment variable.');
    expect(loadSetting({ envVar: 'SMOL_TEST_MISSING_KEY', name: 'endpoint', provider: 'X', optional: true })).toBeUndefined();
  });
  it('keeps a key function as is', () => {
    const fn = async () => 'k';
    expect(loadApiKey({ value: fn, envVar: 'SMOL_TEST_MISSING_KEY', provider: 'X' })).toBe(fn);
  });
});
