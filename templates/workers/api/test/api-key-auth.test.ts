// API keys on the api Worker, attacked: a key acts with the roles it was made with (never its tier), its owner's
// tenant, and only until it expires or is revoked. Red-team finding: `roles: [record.tier]` let a user who asked for
// tier "enterprise" pass a route that required the enterprise role their session did not have.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api-app.js';
import { verifyApiKeyCredential } from '../src/api-key-auth.js';
import type { ExtensionRoute } from '../src/extensions/index.js';
import { createApiKey, revokeApiKey } from '../src/lib/api-keys.js';
import { base, bearer, newUserId } from './helpers.js';

const routes: ExtensionRoute[] = [
  { prefix: '/v1/vip', methods: ['GET'], roles: ['enterprise'], handler: () => Response.json({ vip: true }) },
  { prefix: '/v1/me', methods: ['GET'], handler: (_request, _env, auth) => Response.json(auth) },
];
const app = createApiApp({ extensions: routes, auth: { verifyApiKey: verifyApiKeyCredential } });

async function get(path: string, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.request(`${base}${path}`, { headers }, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

async function keyFor(userId: string, options: { tier?: string; roles?: string[]; tenant?: string; expiresAt?: Date } = {}) {
  const { token, record } = await createApiKey(env, {
    userId,
    name: 'test',
    tier: options.tier ?? 'enterprise',
    roles: options.roles ?? [],
    ...(options.tenant ? { tenant: options.tenant } : {}),
    expiresAt: options.expiresAt ?? inDays(30),
    slot: 0,
  });
  return { token, record, headers: { authorization: `Bearer ${token}` } };
}

describe('an API key on the api Worker', () => {
  it('never gets a role from its tier: tier "enterprise" without the role is 403 on an enterprise route, like the session', async () => {
    const userId = newUserId();
    expect((await get('/v1/vip', await bearer({ sub: userId }))).status).toBe(403);
    const key = await keyFor(userId, { tier: 'enterprise' });
    expect((await get('/v1/vip', key.headers)).status).toBe(403);
    expect(await (await get('/v1/me', key.headers)).json()).toEqual({
      userId,
      roles: [],
      apiKey: { keyId: key.record.keyId, tier: 'enterprise' },
    });
  });

  it('acts with the roles it was made with, and the tenant of its owner', async () => {
    const userId = newUserId();
    const key = await keyFor(userId, { tier: 'free', roles: ['enterprise'], tenant: 'acme' });
    expect((await get('/v1/vip', key.headers)).status).toBe(200);
    expect(await (await get('/v1/me', key.headers)).json()).toMatchObject({ userId, roles: ['enterprise'], tenant: 'acme' });
  });

  it('is refused (401) once expired, once revoked, or when stored without an expiry and roles (made before keys had them)', async () => {
    const userId = newUserId();
    const expiring = await keyFor(userId, { roles: ['enterprise'], expiresAt: new Date(Date.now() + 61_000) });
    expect((await get('/v1/vip', expiring.headers)).status).toBe(200);
    // The same record, past its expiry (KV would also drop it then): refused.
    const stale = { ...expiring.record, expires_at: new Date(Date.now() - 1000).toISOString() };
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(expiring.token)))]
      .map((byte) => byte.toString(16).padStart(2, '0'))
      .join('');
    await env.API_KEYS.put(`key:${hash}`, JSON.stringify(stale));
    expect((await get('/v1/me', expiring.headers)).status).toBe(401);
    const { expires_at: _expiry, roles: _roles, ...legacy } = expiring.record;
    await env.API_KEYS.put(`key:${hash}`, JSON.stringify(legacy));
    expect((await get('/v1/me', expiring.headers)).status).toBe(401);

    const revoked = await keyFor(userId);
    expect((await get('/v1/me', revoked.headers)).status).toBe(200);
    expect(await revokeApiKey(env, userId, revoked.record.keyId)).toMatchObject({ keyId: revoked.record.keyId });
    expect((await get('/v1/me', revoked.headers)).status).toBe(401);
  });
});
