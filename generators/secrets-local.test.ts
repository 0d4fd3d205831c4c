import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import type { WorkerName } from './answers.js';
import { defaultAnswers } from './answers.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { planLocalSecrets, quoteDotenvValue, type LocalSecretsInput } from './secrets-local.js';

const manifest = manifestFromAnswers({ ...defaultAnswers('shop'), identity: 'supabase', supabaseUrl: 'https://abcd.supabase.co' });

/** Numbered values, so a test can tell which call made which value. */
function counter() {
  let count = 0;
  return (name: string) => `${name.toLowerCase()}-${++count}`;
}

function plan(overrides: Partial<LocalSecretsInput> = {}) {
  const result = planLocalSecrets({
    manifest,
    existing: new Map(),
    provided: () => undefined,
    generate: counter(),
    force: false,
    ...overrides,
  });
  if (!result.ok) throw new Error(result.message);
  const file = (worker: WorkerName) => result.files.find((f) => f.worker === worker)!;
  const values = (worker: WorkerName) => parseDotenv(file(worker).content ?? '');
  return { files: result.files, file, values };
}

describe('planLocalSecrets', () => {
  it('writes one value per shared group into every member, and reports names without values', () => {
    const { file, values } = plan();
    expect(values('auth-shim').SESSION_JWT_SECRET).toBe(values('api').SESSION_JWT_SECRET);
    expect(values('receiver').SESSION_JWT_SECRET).toBe(values('api').SESSION_JWT_SECRET);
    expect(values('sender').SIGNING_SECRETS).toBe(values('receiver').SIGNING_SECRETS);
    expect(file('api')).toMatchObject({ path: 'workers/api/.dev.vars', created: true });
    expect(file('api').added).toContain('SESSION_JWT_SECRET');
    expect(file('auth-shim').missingProvided).toEqual(['SUPABASE_ANON_KEY']);
    expect(file('api').missingProvided).not.toContain('R2_ACCESS_KEY_ID'); // optional
    expect(file('api').content).toMatch(/^# Local secrets of the api Worker/);
  });

  it('never changes a value that is there, reuses it for the rest of its group, and keeps the team’s lines', () => {
    const existing = new Map<WorkerName, string | undefined>([['auth-shim', '# mine\nDEBUG=1\nSESSION_JWT_SECRET=kept-value\n']]);
    const { file, values } = plan({ existing });
    expect(file('auth-shim').content).toBeUndefined();
    expect(values('api').SESSION_JWT_SECRET).toBe('kept-value');
    expect(values('receiver').SESSION_JWT_SECRET).toBe('kept-value');
    const again = plan({
      existing: new Map([['auth-shim', '# mine\nDEBUG=1\n']]),
      provided: (name) => (name === 'SUPABASE_ANON_KEY' ? 'anon' : undefined),
    });
    expect(again.file('auth-shim').content).toMatch(/^# mine\nDEBUG=1\n/);
    expect(again.values('auth-shim')).toMatchObject({ DEBUG: '1', SUPABASE_ANON_KEY: 'anon' });
  });

  it('fills an empty value in place instead of adding a second definition', () => {
    const { file } = plan({ existing: new Map([['sender', 'SIGNING_SECRETS=\nOTHER=x\n']]) });
    expect(file('sender').content).toMatch(/^SIGNING_SECRETS='signing_secrets-\d+'\nOTHER=x\n$/);
    expect(file('sender').added).toEqual(['SIGNING_SECRETS']);
  });

  it('with force, gives generated secrets new values, keeps provided ones nobody gave again, and keeps other lines', () => {
    const existing = new Map<WorkerName, string | undefined>([
      ['auth-shim', 'SUPABASE_ANON_KEY=hand-written\nSESSION_JWT_SECRET="old\nvalue"\nKEEP=me\n'],
      ['api', "SESSION_JWT_SECRET='old'\n"],
    ]);
    const forced = plan({ existing, force: true });
    expect(forced.values('auth-shim')).toEqual({
      SUPABASE_ANON_KEY: 'hand-written',
      SESSION_JWT_SECRET: forced.values('api').SESSION_JWT_SECRET,
      KEEP: 'me',
    });
    expect(forced.values('api').SESSION_JWT_SECRET).not.toBe('old');
    expect(forced.file('auth-shim').replaced).toEqual(['SESSION_JWT_SECRET']);
    const given = plan({ existing, force: true, provided: () => 'from-env' });
    expect(given.values('auth-shim').SUPABASE_ANON_KEY).toBe('from-env');
    expect(given.file('auth-shim').replaced).toContain('SUPABASE_ANON_KEY');
  });

  it('reports a shared value that differs between files, and leaves it alone', () => {
    const { file } = plan({
      existing: new Map([
        ['sender', "SIGNING_SECRETS='a'\n"],
        ['receiver', "SIGNING_SECRETS='b'\n"],
      ]),
    });
    expect(file('receiver').inconsistent).toEqual(['SIGNING_SECRETS']);
    expect(file('sender').inconsistent).toEqual([]);
  });

  it('writes an Ed25519 JWK (JSON with double quotes) so that dotenv reads it back unchanged', () => {
    const jwk = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'def', kid: 'k1' });
    const eddsa = manifestFromAnswers({ ...defaultAnswers('shop'), jwtAlg: 'EdDSA' });
    const result = planLocalSecrets({ manifest: eddsa, existing: new Map(), provided: () => undefined, generate: () => jwk, force: false });
    expect(result.ok && parseDotenv(result.files.find((f) => f.worker === 'auth-shim')!.content!).SESSION_JWT_PRIVATE_JWK).toBe(jwk);
  });

  it('refuses a value dotenv could not read back, naming the secret and not the value', () => {
    const result = planLocalSecrets({ manifest, existing: new Map(), provided: () => 'a\'b"c`d', generate: counter(), force: false });
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^SUPABASE_ANON_KEY: /) });
    expect(JSON.stringify(result)).not.toContain('a\'b"c`d');
  });
});

describe('quoteDotenvValue', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", '"it\'s"'],
    ['{"a":"it\'s"}', '`{"a":"it\'s"}`'],
  ])('quotes %s so dotenv reads it back', (value, quoted) => {
    expect(quoteDotenvValue(value)).toBe(quoted);
    expect(parseDotenv(`K=${quoted}`).K).toBe(value);
  });

  it.each(['line\nbreak', 'back\\slash', 'a\'b"c`d'])('refuses %j', (value) => {
    expect(quoteDotenvValue(value)).toBeUndefined();
  });
});
