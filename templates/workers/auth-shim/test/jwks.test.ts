import { env } from 'cloudflare:test';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../src/env.js';
import { callWorker, captureLogs, decodeSegment, instantEnv, requestLogLine, sessionRequest } from './helpers.js';

const instant = inject('instant');
const body = { refresh_token: instant.refreshToken };

/** A fresh Ed25519 key pair as the `SESSION_JWT_PRIVATE_JWK` secret and its public JWK. */
async function newSigningKey(kid?: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), ...(kid ? { kid } : {}) };
  const publicJwk = { ...(await exportJWK(publicKey)), ...(kid ? { kid } : {}) };
  return { privateJwk, publicJwk };
}

function eddsa(privateJwk: JWK | string, publicJwks?: unknown): Partial<Env> {
  return {
    ...instantEnv(instant),
    SESSION_JWT_ALG: 'EdDSA',
    SESSION_JWT_PRIVATE_JWK: typeof privateJwk === 'string' ? privateJwk : JSON.stringify(privateJwk),
    SESSION_JWT_PUBLIC_JWKS: publicJwks === undefined ? undefined : JSON.stringify(publicJwks),
  };
}

async function mint(overrides: Partial<Env>): Promise<string> {
  const response = await callWorker(sessionRequest(body), overrides);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function fetchJwks(overrides: Partial<Env>): Promise<JSONWebKeySet> {
  const response = await callWorker(new Request('https://auth.test/.well-known/jwks.json'), overrides);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  return (await response.json()) as JSONWebKeySet;
}

const verifyOptions = () => ({
  algorithms: ['EdDSA'],
  issuer: env.SESSION_JWT_ISSUER,
  audience: env.SESSION_JWT_AUDIENCE,
  typ: 'JWT',
});

describe('GET /.well-known/jwks.json (EdDSA)', () => {
  it('serves the public half of the configured key, and nothing private', async () => {
    const configured = JSON.parse((env as Env).SESSION_JWT_PRIVATE_JWK!) as JWK;
    const jwks = await fetchJwks({ SESSION_JWT_ALG: 'EdDSA' });
    expect(jwks.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: configured.x, kid: configured.kid, alg: 'EdDSA', use: 'sig' }]);
    expect(JSON.stringify(jwks)).not.toContain(configured.d!);
  });

  it('verifies the minted token, whose header names the key', async () => {
    const key = await newSigningKey('2026-01');
    const token = await mint(eddsa(key.privateJwk));
    expect(decodeSegment(token.split('.')[0]!)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: '2026-01' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(await fetchJwks(eddsa(key.privateJwk))), verifyOptions());
    expect(payload.sub).toBe(instant.user.id);
    // Another key set does not verify it.
    const stranger = await newSigningKey('2026-01');
    await expect(jwtVerify(token, createLocalJWKSet({ keys: [stranger.publicJwk] }), verifyOptions())).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it('names a key without kid by its RFC 7638 thumbprint', async () => {
    const key = await newSigningKey();
    const thumbprint = await calculateJwkThumbprint(key.publicJwk);
    const token = await mint(eddsa(key.privateJwk));
    expect(decodeSegment(token.split('.')[0]!).kid).toBe(thumbprint);
    expect((await fetchJwks(eddsa(key.privateJwk))).keys.map((k) => k.kid)).toEqual([thumbprint]);
  });

  it('keeps both keys verifying during a rotation, and only the new one after it', async () => {
    const oldKey = await newSigningKey('old');
    const newKey = await newSigningKey('new');
    const oldToken = await mint(eddsa(oldKey.privateJwk));

    // Rotation: sign with the new key, keep publishing the old public key until its tokens have expired.
    const during = eddsa(newKey.privateJwk, { keys: [oldKey.publicJwk] });
    const newToken = await mint(during);
    expect(decodeSegment(newToken.split('.')[0]!).kid).toBe('new');
    const jwks = await fetchJwks(during);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['new', 'old']);
    for (const token of [oldToken, newToken]) {
      await expect(jwtVerify(token, createLocalJWKSet(jwks), verifyOptions())).resolves.toBeTruthy();
    }

    // After it: the old key is no longer published, so its tokens no longer verify.
    const after = await fetchJwks(eddsa(newKey.privateJwk));
    await expect(jwtVerify(newToken, createLocalJWKSet(after), verifyOptions())).resolves.toBeTruthy();
    await expect(jwtVerify(oldToken, createLocalJWKSet(after), verifyOptions())).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('signs with the newer of the two key slots written by appshell secrets --rotate, and publishes both', async () => {
    const oldKey = await newSigningKey('old');
    const newKey = await newSigningKey('new');
    const oldToken = await mint(eddsa({ ...oldKey.privateJwk, created_at: 1000 } as JWK));
    // The new key may land in either slot; its created_at decides which one signs.
    for (const slots of [
      {
        SESSION_JWT_PRIVATE_JWK: { ...oldKey.privateJwk, created_at: 1000 },
        SESSION_JWT_PRIVATE_JWK_NEXT: { ...newKey.privateJwk, created_at: 2000 },
      },
      {
        SESSION_JWT_PRIVATE_JWK: { ...newKey.privateJwk, created_at: 2000 },
        SESSION_JWT_PRIVATE_JWK_NEXT: { ...oldKey.privateJwk, created_at: 1000 },
      },
    ]) {
      const during: Partial<Env> = {
        ...eddsa(slots.SESSION_JWT_PRIVATE_JWK as JWK),
        SESSION_JWT_PRIVATE_JWK_NEXT: JSON.stringify(slots.SESSION_JWT_PRIVATE_JWK_NEXT),
      };
      const newToken = await mint(during);
      expect(decodeSegment(newToken.split('.')[0]!).kid).toBe('new');
      const jwks = await fetchJwks(during);
      expect(jwks.keys.map((k) => k.kid)).toEqual(['new', 'old']);
      for (const token of [oldToken, newToken]) {
        await expect(jwtVerify(token, createLocalJWKSet(jwks), verifyOptions())).resolves.toBeTruthy();
      }
    }
  });

  it('accepts the previous keys as a plain array and never serves private members pasted into it', async () => {
    const current = await newSigningKey('current');
    const previous = await newSigningKey('previous');
    const jwks = await fetchJwks(eddsa(current.privateJwk, [{ ...previous.privateJwk, k: 'oops' }]));
    expect(jwks.keys.map((k) => k.kid)).toEqual(['current', 'previous']);
    expect(JSON.stringify(jwks)).not.toContain(previous.privateJwk.d!);
    for (const key of jwks.keys) expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  });

  it('does not exist with HS256 (there is no public key)', async () => {
    const response = await callWorker(new Request('https://auth.test/.well-known/jwks.json'), { SESSION_JWT_ALG: 'HS256' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers other methods with 405', async () => {
    const response = await callWorker(new Request('https://auth.test/.well-known/jwks.json', { method: 'POST' }), {
      SESSION_JWT_ALG: 'EdDSA',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
  });
});

describe('EdDSA misconfiguration -> 500 misconfigured, the key printed nowhere', () => {
  it.each([
    ['no private key', async () => ''],
    ['a private key that is not JSON', async () => 'MC4CAQAwBQYDK2VwBCIEI...'],
    ['a public key where the private key belongs', async () => JSON.stringify((await newSigningKey('p')).publicJwk)],
    ['an RSA key', async () => JSON.stringify({ kty: 'RSA', n: 'abc', e: 'AQAB', d: 'secret-d' })],
    [
      'a private key pasted with another key’s public half',
      async () => {
        const [a, b] = [await newSigningKey('a'), await newSigningKey('b')];
        return JSON.stringify({ ...a.privateJwk, x: b.publicJwk.x });
      },
    ],
  ])('%s', async (_name, makeKey) => {
    const privateJwk = await makeKey();
    for (const request of [sessionRequest(body), new Request('https://auth.test/.well-known/jwks.json')]) {
      const { result: response, logs } = await captureLogs(() => callWorker(request, eddsa(privateJwk)));
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'misconfigured' } });
      expect(requestLogLine(logs).detail).toMatch(/^misconfigured: SESSION_JWT_PRIVATE_JWK/);
      const d = privateJwk.startsWith('{') ? (JSON.parse(privateJwk) as JWK).d : undefined;
      if (d) expect(text + logs.join('\n')).not.toContain(d);
    }
  });

  it('a SESSION_JWT_PUBLIC_JWKS that is not a JWKS of Ed25519 keys', async () => {
    const key = await newSigningKey('k');
    for (const listed of [{ keys: 'none' }, { keys: [{ kty: 'RSA', n: 'a', e: 'AQAB' }] }, 'not-a-jwks']) {
      const response = await callWorker(new Request('https://auth.test/.well-known/jwks.json'), eddsa(key.privateJwk, listed));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
    }
  });
});
