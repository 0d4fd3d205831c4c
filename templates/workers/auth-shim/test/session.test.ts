import { env, SELF } from 'cloudflare:test';
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
  supabaseEnv,
  verifySessionToken,
} from './helpers.js';

const instant = inject('instant');
const supabase = inject('supabase');

interface ProviderCase {
  provider: 'instant' | 'supabase';
  overrides: Partial<Env>;
  body: Record<string, string>;
  /** The provider token, which must appear nowhere in the answer or the log. */
  providerToken: string;
  user: { id: string; email: string };
}

const providers: ProviderCase[] = [
  {
    provider: 'instant',
    overrides: instantEnv(instant),
    body: { refresh_token: instant.refreshToken },
    providerToken: instant.refreshToken,
    user: instant.user,
  },
  {
    provider: 'supabase',
    overrides: supabaseEnv(supabase),
    body: { access_token: supabase.accessToken },
    providerToken: supabase.accessToken,
    user: supabase.user,
  },
];
const algorithms = ['HS256', 'EdDSA'] as const;

describe.each(providers)('POST /auth/session with $provider', (provider) => {
  describe.each(algorithms)('signed with %s', (algorithm) => {
    const overrides = { ...provider.overrides, SESSION_JWT_ALG: algorithm };

    it('verifies the provider token through the stand-in and mints a session JWT that verifies with jose', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { result: response, logs } = await captureLogs(() => callWorker(sessionRequest(provider.body), overrides));
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = JSON.parse(text) as { token: string; token_type: string; expires_at: number; user: unknown };
      expect(Object.keys(body).sort()).toEqual(['expires_at', 'token', 'token_type', 'user']);
      expect(body.token_type).toBe('Bearer');
      expect(body.user).toEqual(provider.user);

      const { payload, protectedHeader } = await verifySessionToken(body.token, algorithm);
      expect(protectedHeader.alg).toBe(algorithm);
      expect(protectedHeader.typ).toBe('JWT');
      if (algorithm === 'EdDSA') expect(protectedHeader.kid).toEqual(expect.any(String));
      else expect(protectedHeader).not.toHaveProperty('kid');
      expect(payload).toMatchObject({
        sub: provider.user.id,
        email: provider.user.email,
        roles: [],
        iss: env.SESSION_JWT_ISSUER,
        aud: env.SESSION_JWT_AUDIENCE,
      });
      expect(payload).not.toHaveProperty('tenant');
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.exp! - payload.iat!).toBe(600);
      expect(body.expires_at).toBe(payload.exp);

      // The provider token (Instant's user object even carries it) goes nowhere: not the answer, not the log.
      expect(text).not.toContain(provider.providerToken);
      expect(JSON.stringify(decodeSegment(body.token.split('.')[1]!))).not.toContain(provider.providerToken);
      for (const [, value] of response.headers) expect(value).not.toContain(provider.providerToken);
      expect(logs.join('\n')).not.toContain(provider.providerToken);
      expect(logs.join('\n')).not.toContain(body.token);
      expect(requestLogLine(logs)).toMatchObject({ route: '/auth/session', status: 200, user_id: provider.user.id });
    });
  });

  it('refuses the other provider field with 400: each provider has its own', async () => {
    const field = provider.provider === 'instant' ? 'access_token' : 'refresh_token';
    const response = await callWorker(sessionRequest({ [field]: provider.providerToken }), provider.overrides);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
  });
});

describe('POST /auth/session as the vitest config renders it (SELF)', () => {
  it('mints a session for the configured provider and algorithm', async () => {
    const configured = providers.find((candidate) => candidate.provider === (env.IDENTITY_PROVIDER || 'instant'))!;
    const response = await SELF.fetch(sessionRequest(configured.body));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string };
    const algorithm = (env.SESSION_JWT_ALG || 'HS256') as 'HS256' | 'EdDSA';
    const { payload } = await verifySessionToken(body.token, algorithm);
    expect(payload.sub).toBe(configured.user.id);
  });
});

describe('InstantDB users', () => {
  it('gives a guest (no email) a session without an email claim', async () => {
    const response = await callWorker(sessionRequest({ refresh_token: instant.guestRefreshToken }), { ...instantEnv(instant), ...hs256 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; user: unknown };
    expect(body.user).toEqual({ id: instant.guest.id });
    const { payload } = await verifySessionToken(body.token, 'HS256');
    expect(payload.sub).toBe(instant.guest.id);
    expect(payload).not.toHaveProperty('email');
  });
});

describe('roles from the ROLES KV namespace', () => {
  const body = { refresh_token: instant.refreshToken };
  const rolesKey = `roles:${instant.user.id}`;

  async function mintedClaims(): Promise<Record<string, unknown>> {
    const response = await callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256 });
    expect(response.status).toBe(200);
    return (await verifySessionToken(((await response.json()) as { token: string }).token, 'HS256')).payload;
  }

  it('puts the roles stored under roles:<userId> into the token', async () => {
    await env.ROLES!.put(rolesKey, JSON.stringify(['admin', 'billing']));
    expect((await mintedClaims()).roles).toEqual(['admin', 'billing']);
  });

  it('takes roles and tenant from the object form', async () => {
    await env.ROLES!.put(rolesKey, JSON.stringify({ roles: ['editor'], tenant: 'acme' }));
    expect(await mintedClaims()).toMatchObject({ roles: ['editor'], tenant: 'acme' });
  });

  it('grants nothing when the stored value is malformed, and logs why', async () => {
    for (const stored of [
      'not json',
      JSON.stringify([1, 2]),
      JSON.stringify({ roles: ['ok'], tenant: '../other' }),
      JSON.stringify('admin'),
    ]) {
      await env.ROLES!.put(rolesKey, stored);
      const { result: claims, logs } = await captureLogs(mintedClaims);
      expect(claims.roles, stored).toEqual([]);
      expect(claims).not.toHaveProperty('tenant');
      expect(requestLogLine(logs).detail).toMatch(/roles|tenant/);
    }
  });

  it('works without the ROLES binding at all', async () => {
    const response = await callWorker(sessionRequest(body), { ...instantEnv(instant), ...hs256, ROLES: undefined });
    expect(response.status).toBe(200);
    const { payload } = await verifySessionToken(((await response.json()) as { token: string }).token, 'HS256');
    expect(payload.roles).toEqual([]);
  });
});
