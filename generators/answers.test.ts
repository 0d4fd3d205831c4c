import { describe, expect, it } from 'vitest';
import { defaultAnswers, isDevelopmentOrigin, validateAnswers } from './answers.js';

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
    [{ origins: ['http://localhost:3000'] }, '--origins'],
    [{ origins: ['http://127.0.0.1:8080'] }, '--origins'],
    [{ devOrigins: ['*'] }, '--dev-origins'],
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

  it('leaves the deployed environments without origins by default, and local development with localhost', () => {
    expect(defaultAnswers('my-api')).toMatchObject({ origins: [], devOrigins: ['http://localhost:3000'] });
    const localhost = validateAnswers(valid({ origins: ['http://localhost:3000'] }));
    expect(!localhost.ok && localhost.message).toMatch(/is a development origin.*--dev-origins/);
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

describe('isDevelopmentOrigin', () => {
  it.each([
    'http://localhost:3000',
    'https://localhost',
    'http://app.localhost:5173',
    'http://127.0.0.1:8080',
    'http://[::1]:3000',
    'http://0.0.0.0:3000',
  ])('%s is one', (origin) => expect(isDevelopmentOrigin(origin)).toBe(true));
  it.each(['https://app.example.com', 'https://localhost.example.com', 'https://127.example.com'])('%s is not', (origin) =>
    expect(isDevelopmentOrigin(origin)).toBe(false),
  );
});
