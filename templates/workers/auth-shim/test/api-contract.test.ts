import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { createSessionVerifier } from '../src/lib/session-token.js';
import { callWorker, instantEnv, sessionRequest, supabaseEnv } from './helpers.js';

const instant = inject('instant');
const supabase = inject('supabase');

/**
 * The session JWT is the contract between this Worker and the api Worker: every token minted here must pass
 * the api Worker's own verifier (`lib/session-token.ts`, algorithm pinned, `typ`, claims and identifiers
 * checked), with HS256's shared secret or EdDSA's JWKS fetched from this Worker as the api's service binding does.
 */
describe.each(['HS256', 'EdDSA'] as const)('a %s session token is accepted by the api Worker’s verifier', (algorithm) => {
  const jwksThroughServiceBinding = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => callWorker(new Request(input, init), { SESSION_JWT_ALG: algorithm }),
  } as Fetcher;
  const verify = createSessionVerifier({
    algorithm,
    issuer: env.SESSION_JWT_ISSUER!,
    audience: env.SESSION_JWT_AUDIENCE!,
    ...(algorithm === 'HS256' ? { secret: env.SESSION_JWT_SECRET } : { jwksFetcher: jwksThroughServiceBinding }),
  });

  it.each([
    ['InstantDB', instantEnv(instant), { refresh_token: instant.refreshToken }, instant.user],
    ['Supabase', supabaseEnv(supabase), { access_token: supabase.accessToken }, supabase.user],
  ])('from %s, with roles and tenant', async (_provider, overrides, body, user) => {
    await env.ROLES!.put(`roles:${user.id}`, JSON.stringify({ roles: ['admin'], tenant: 'acme' }));
    const response = await callWorker(sessionRequest(body), { ...overrides, SESSION_JWT_ALG: algorithm });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const result = await verify(token);
    expect(result).toMatchObject({ ok: true, auth: { userId: user.id, email: user.email, roles: ['admin'], tenant: 'acme' } });
  });
});
