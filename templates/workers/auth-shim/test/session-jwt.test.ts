import { env } from 'cloudflare:test';
import { errors, jwtVerify, SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../src/env.js';
import {
  callWorker,
  captureLogs,
  decodeSegment,
  hs256,
  instantEnv,
  requestLogLine,
  sessionRequest,
  verifySessionToken,
} from './helpers.js';

const instant = inject('instant');
const body = { refresh_token: instant.refreshToken };

async function mint(overrides: Partial<Env> = {}) {
  const response = await callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, ...overrides });
  expect(response.status).toBe(200);
  return (await response.json()) as { token: string; expires_at: number };
}

describe('session lifetime', () => {
  it.each([
    ['unset: 600 s', undefined, 600],
    ['SESSION_TTL_SECONDS=120', '120', 120],
    ['SESSION_TTL_SECONDS=3600', '3600', 3600],
    ['SESSION_TTL_SECONDS=86400 is capped at 3600', '86400', 3600],
  ])('%s', async (_name, ttl, expected) => {
    const { token, expires_at } = await mint({ SESSION_TTL_SECONDS: ttl });
    const { payload } = await verifySessionToken(token, 'HS256');
    expect(payload.exp! - payload.iat!).toBe(expected);
    expect(expires_at).toBe(payload.exp);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('an expired session token is refused by a relying party', async () => {
    const { token } = await mint({ SESSION_TTL_SECONDS: '60' });
    const options = { algorithms: ['HS256'], issuer: env.SESSION_JWT_ISSUER, audience: env.SESSION_JWT_AUDIENCE };
    const secret = new TextEncoder().encode(env.SESSION_JWT_SECRET);
    await expect(jwtVerify(token, secret, { ...options, currentDate: new Date(Date.now() + 59_000) })).resolves.toBeTruthy();
    await expect(jwtVerify(token, secret, { ...options, currentDate: new Date(Date.now() + 61_000) })).rejects.toBeInstanceOf(
      errors.JWTExpired,
    );
  });

  it.each(['0', '-5', '10m', '1e3'])('SESSION_TTL_SECONDS=%s is a deploy mistake: 500 misconfigured', async (ttl) => {
    const response = await callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, SESSION_TTL_SECONDS: ttl });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
  });
});

describe('HS256 signing key', () => {
  it('is bound to the secret: a token minted with another secret does not verify with this one', async () => {
    const other = 'another-secret-that-is-long-enough-0123456789';
    const { token } = await mint({ SESSION_JWT_SECRET: other });
    await expect(verifySessionToken(token, 'HS256')).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    await expect(verifySessionToken(token, 'HS256', { SESSION_JWT_SECRET: other })).resolves.toBeTruthy();
  });

  it('signs with exactly HS256: a relying party that pins HS512 or EdDSA refuses it', async () => {
    const { token } = await mint();
    expect(decodeSegment(token.split('.')[0]!)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const secret = new TextEncoder().encode(env.SESSION_JWT_SECRET);
    await expect(jwtVerify(token, secret, { algorithms: ['HS512'] })).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);
  });

  it.each([
    ['a 31-byte secret', 'x'.repeat(31)],
    ['a 31-byte secret of multi-byte characters counted in bytes', `${'é'.repeat(15)}x`],
    ['an empty secret', ''],
    ['no secret at all', undefined],
  ])('%s -> 500 misconfigured, the secret printed nowhere', async (_name, secret) => {
    const { result: response, logs } = await captureLogs(() =>
      callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, SESSION_JWT_SECRET: secret }),
    );
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'misconfigured' } });
    const line = requestLogLine(logs);
    expect(line.detail).toBe('misconfigured: SESSION_JWT_SECRET is missing or shorter than 32 bytes');
    if (secret) {
      expect(text).not.toContain(secret);
      expect(logs.join('\n')).not.toContain(secret);
    }
  });

  it('accepts a secret of exactly 32 bytes', async () => {
    const secret = 'k'.repeat(32);
    const { token } = await mint({ SESSION_JWT_SECRET: secret });
    await expect(verifySessionToken(token, 'HS256', { SESSION_JWT_SECRET: secret })).resolves.toBeTruthy();
  });

  it('during a rotation signs with the newer of the two slots, whichever slot holds it', async () => {
    const older = `hs256_1700000000_${'o'.repeat(43)}`;
    const newer = `hs256_1800000000_${'n'.repeat(43)}`;
    for (const [primary, next] of [
      [older, newer],
      [newer, older],
    ]) {
      const { token } = await mint({ SESSION_JWT_SECRET: primary, SESSION_JWT_SECRET_NEXT: next });
      await expect(verifySessionToken(token, 'HS256', { SESSION_JWT_SECRET: newer })).resolves.toBeTruthy();
      await expect(verifySessionToken(token, 'HS256', { SESSION_JWT_SECRET: older })).rejects.toBeInstanceOf(
        errors.JWSSignatureVerificationFailed,
      );
    }
    // A secret without appshell's time stamp counts as the oldest; the next slot alone (a finished rotation) signs.
    const { token: stamped } = await mint({ SESSION_JWT_SECRET: 'p'.repeat(40), SESSION_JWT_SECRET_NEXT: newer });
    await expect(verifySessionToken(stamped, 'HS256', { SESSION_JWT_SECRET: newer })).resolves.toBeTruthy();
    const { token: alone } = await mint({ SESSION_JWT_SECRET: undefined, SESSION_JWT_SECRET_NEXT: newer });
    await expect(verifySessionToken(alone, 'HS256', { SESSION_JWT_SECRET: newer })).resolves.toBeTruthy();
  });

  it('refuses a short second slot as misconfiguration, naming the slot', async () => {
    const { result: response, logs } = await captureLogs(() =>
      callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, SESSION_JWT_SECRET_NEXT: 'short' }),
    );
    expect(response.status).toBe(500);
    expect(requestLogLine(logs).detail).toBe('misconfigured: SESSION_JWT_SECRET_NEXT is missing or shorter than 32 bytes');
  });

  it('refuses to mint before asking the provider when misconfigured (the caller’s token is not spent)', async () => {
    const { result: response, logs } = await captureLogs(() =>
      callWorker(sessionRequest({ refresh_token: crypto.randomUUID() }), { ...instantEnv(instant), ...hs256, SESSION_JWT_SECRET: 'short' }),
    );
    // A rejected token would be 401 if the provider had been asked.
    expect(response.status).toBe(500);
    expect(requestLogLine(logs).detail).toMatch(/^misconfigured/);
  });
});

describe('claims and settings', () => {
  it('a token forged with the right claims but another key is not what the Worker mints', async () => {
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(instant.user.id)
      .setIssuer(env.SESSION_JWT_ISSUER!)
      .setAudience(env.SESSION_JWT_AUDIENCE!)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('an-attacker-secret-of-thirty-two-bytes!!'));
    await expect(verifySessionToken(forged, 'HS256')).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  it.each([
    ['SESSION_JWT_ISSUER', { SESSION_JWT_ISSUER: '' }],
    ['SESSION_JWT_AUDIENCE', { SESSION_JWT_AUDIENCE: '' }],
    ['SESSION_JWT_ALG', { SESSION_JWT_ALG: 'none' }],
    ['SESSION_JWT_ALG', { SESSION_JWT_ALG: 'RS256' }],
    ['PROVIDER_TIMEOUT_MS', { PROVIDER_TIMEOUT_MS: 'soon' }],
  ])('a bad %s -> 500 misconfigured', async (_name, overrides) => {
    const response = await callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, ...overrides });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
  });
});
