import { describe, expect, it } from 'vitest';
import { defaultAnswers, validateAnswers } from './answers.js';

const valid = (overrides: Record<string, unknown> = {}) => ({ ...defaultAnswers('my-api'), ...overrides });

describe('validateAnswers', () => {
  it('accepts the defaults', () => {
    expect(validateAnswers(valid())).toMatchObject({ ok: true });
  });

  it.each([
    [{ name: 'My Api' }, '--name'],
    [{ name: '../up' }, '--name'],
    [{ name: '-lead' }, '--name'],
    [{ workers: ['api', 'gateway'] }, '--workers'],
    [{ workers: ['sender'] }, '--workers'],
    [{ workers: [] }, '--workers'],
    [{ features: ['ai', 'video'] }, '--features'],
    [{ origins: ['*'] }, '--origins'],
    [{ origins: ['example.com'] }, '--origins'],
    [{ origins: ['https://app.example.com/path'] }, '--origins'],
    [{ origins: ['ftp://files.example.com'] }, '--origins'],
    [{ accountId: 'xyz' }, '--account-id'],
    [{ bucket: 'Up_Loads' }, '--bucket'],
    [{ jwtAlg: 'RS256' }, '--jwt-alg'],
    [{ envs: ['Prod'] }, '--envs'],
    [{ configFormat: 'yaml' }, '--config-format'],
    [{ ci: 'gitlab' }, '--ci'],
    [{ supabaseUrl: 'http://insecure.example' }, '--supabase-url'],
    [{ instantAppId: 'not-a-uuid' }, '--instant-app-id'],
    [{ jwtAlg: 'EdDSA', workers: ['api'] }, '--workers'],
    [{ features: ['ai'], workers: ['auth-shim'] }, '--features'],
    [{ envs: ['staging', 'staging'] }, '--envs'],
  ])('refuses %j naming %s', (overrides, flag) => {
    const result = validateAnswers(valid(overrides));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.field).toBe(flag);
      expect(result.message.startsWith(`${flag}:`)).toBe(true);
    }
  });

  it('names an unknown key of an answers file', () => {
    const result = validateAnswers({ ...valid(), colour: 'blue' });
    expect(result).toMatchObject({ ok: false, field: 'colour' });
  });

  it('quotes the bad item of a list', () => {
    const result = validateAnswers(valid({ workers: ['api', 'gateway'] }));
    expect(!result.ok && result.message).toContain("'gateway'");
  });
});
