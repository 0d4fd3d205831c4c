// API keys, attacked: what a key may carry (never more than its owner's session), how long it lives, how many one
// user may hold, and whose keys one can revoke. Each case is a red-team finding against the first version.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { lookupApiKey } from '../src/lib/api-keys.js';
import { call, newUserId, sessionFor, signedRequest } from './helpers.js';

type Provisioned = { ok: true; token: string; keyId: string; prefix: string; tier: string; roles: string[]; expires_at: string };
type Listed = {
  ok: true;
  keys: { keyId: string; name: string; tier: string; roles: string[]; prefix: string; created_at: string; expires_at: string }[];
};

const maxPerUser = Number(env.API_KEYS_PER_USER);
const dayMs = 86_400_000;

async function act(
  userId: string,
  action: string,
  payload: Record<string, unknown> = {},
  session: { roles?: string[]; tenant?: string } = {},
) {
  return call(signedRequest(JSON.stringify({ action, ...payload, jwt: await sessionFor(userId, session) })));
}

async function provision(userId: string, payload: Record<string, unknown> = {}, session: { roles?: string[]; tenant?: string } = {}) {
  const response = await act(userId, 'provision-api-key', { name: 'CI', ...payload }, session);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Provisioned;
}

describe('what a key carries', () => {
  it('never a role from its tier: tiers are the operator allow-list, and an unknown tier is 400', async () => {
    expect(env.API_KEY_TIERS).toBe('free');
    const userId = newUserId();
    for (const tier of ['enterprise', 'pro', 'admin', '', 7]) {
      const response = await act(userId, 'provision-api-key', { name: 'CI', tier });
      expect(response.status, String(tier)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request', message: 'tier must be one of free' } });
    }
    const key = await provision(userId);
    expect(key).toMatchObject({ tier: 'free', roles: [] });
    expect((await lookupApiKey(env, key.token))?.roles).toEqual([]);
  });

  it('at most the roles of the session that made it, only those asked for: anything else is 403', async () => {
    const userId = newUserId();
    for (const roles of [['admin'], ['editor', 'admin'], ['enterprise']]) {
      const response = await act(userId, 'provision-api-key', { name: 'CI', roles }, { roles: ['editor'] });
      expect(response.status, roles.join()).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    for (const roles of ['admin', [1], { 0: 'admin' }]) {
      expect((await act(userId, 'provision-api-key', { name: 'CI', roles }, { roles: ['admin'] })).status, JSON.stringify(roles)).toBe(400);
    }
    const key = await provision(userId, { roles: ['editor'] }, { roles: ['editor', 'admin'] });
    expect(key.roles).toEqual(['editor']);
    expect(await lookupApiKey(env, key.token)).toMatchObject({ userId, roles: ['editor'], tier: 'free' });
  });

  it('the tenant of the session that made it, and no other', async () => {
    const userId = newUserId();
    const key = await provision(userId, {}, { tenant: 'acme' });
    expect(await lookupApiKey(env, key.token)).toMatchObject({ userId, tenant: 'acme' });
  });
});

describe('how long a key lives', () => {
  it('expires after API_KEY_TTL_DAYS by default, at most API_KEY_MAX_TTL_DAYS, and is refused from then on', async () => {
    const userId = newUserId();
    const key = await provision(userId);
    const lifetime = Date.parse(key.expires_at) - Date.now();
    expect(Math.abs(lifetime - Number(env.API_KEY_TTL_DAYS) * dayMs)).toBeLessThan(60_000);
    const short = await provision(userId, { expiresInDays: 1 });
    expect(await lookupApiKey(env, short.token)).not.toBeNull();
    expect(await lookupApiKey(env, short.token, Date.parse(short.expires_at))).toBeNull();
    for (const expiresInDays of [0, -1, 1.5, '7', Number(env.API_KEY_MAX_TTL_DAYS) + 1, 1e9]) {
      expect((await act(userId, 'provision-api-key', { name: 'CI', expiresInDays })).status, String(expiresInDays)).toBe(400);
    }
    expect((await act(userId, 'provision-api-key', { name: 'CI', expiresInDays: Number(env.API_KEY_MAX_TTL_DAYS) })).status).toBe(200);
  });

  it('a key stored before keys had an expiry and roles of their own is refused, not trusted with its tier', async () => {
    const token = `obtk_${'A'.repeat(43)}`;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
    const hash = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const legacy = {
      keyId: 'key_legacy',
      userId: newUserId(),
      name: 'old',
      tier: 'enterprise',
      prefix: 'obtk_AAAAAA',
      created_at: new Date().toISOString(),
    };
    await env.API_KEYS.put(`key:${hash}`, JSON.stringify(legacy));
    expect(await lookupApiKey(env, token)).toBeNull();
  });
});

describe('how many keys one user holds', () => {
  it(`of ${3 * maxPerUser} concurrent requests exactly API_KEYS_PER_USER (${maxPerUser}) get a key; the rest are 409`, async () => {
    const userId = newUserId();
    const jwt = await sessionFor(userId);
    const body = JSON.stringify({ action: 'provision-api-key', name: 'burst', jwt });
    const responses = await Promise.all(Array.from({ length: 3 * maxPerUser }, () => call(signedRequest(body))));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(maxPerUser);
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused.every((r) => r.status === 409)).toBe(true);
    expect(await refused[0]!.json()).toMatchObject({ error: { code: 'key_limit' } });
    const listed = (await (await act(userId, 'list-api-keys')).json()) as Listed;
    expect(listed.keys).toHaveLength(maxPerUser);
    // Revoking one frees its slot for exactly one new key.
    expect((await act(userId, 'revoke-api-key', { keyId: listed.keys[0]!.keyId })).status).toBe(200);
    expect((await act(userId, 'provision-api-key', { name: 'again' })).status).toBe(200);
    expect((await act(userId, 'provision-api-key', { name: 'one more' })).status).toBe(409);
    // Another user is not affected.
    expect((await act(newUserId(), 'provision-api-key', { name: 'CI' })).status).toBe(200);
  });
});

describe('listing and revoking', () => {
  it("list-api-keys shows the caller's own keys, without the key or its hash, so a lost keyId can be revoked", async () => {
    const owner = newUserId();
    const first = await provision(owner, { name: 'laptop' });
    const second = await provision(owner, { name: 'ci' });
    await provision(newUserId(), { name: 'someone else' });
    const response = await act(owner, 'list-api-keys');
    const listed = (await response.json()) as Listed;
    expect(listed.keys.map((key) => key.keyId).sort()).toEqual([first.keyId, second.keyId].sort());
    expect(listed.keys.find((key) => key.keyId === first.keyId)).toEqual({
      keyId: first.keyId,
      name: 'laptop',
      tier: 'free',
      roles: [],
      prefix: first.prefix,
      created_at: expect.any(String),
      expires_at: first.expires_at,
    });
    const text = JSON.stringify(listed);
    expect(text).not.toContain(first.token);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect((await call(signedRequest(JSON.stringify({ action: 'list-api-keys' })))).status).toBe(401);
  });

  it("a user id with a separator cannot reach another user's keys: eve cannot revoke eve:ops's key", async () => {
    const suffix = crypto.randomUUID().slice(0, 8);
    const victim = `eve:ops${suffix}`;
    const attacker = `eve`;
    const key = await provision(victim);
    for (const keyId of [
      `ops${suffix}:${key.keyId}`,
      `ops${suffix}/${key.keyId}`,
      `../${victim}/${key.keyId}`,
      `${key.keyId}\n`,
      'key_',
      42,
    ]) {
      const response = await act(attacker, 'revoke-api-key', { keyId });
      expect(response.status, String(keyId)).toBe(400);
    }
    expect((await act(attacker, 'revoke-api-key', { keyId: key.keyId })).status).toBe(404);
    expect(await lookupApiKey(env, key.token)).not.toBeNull();
    expect((await act(victim, 'revoke-api-key', { keyId: key.keyId })).status).toBe(200);
    expect(await lookupApiKey(env, key.token)).toBeNull();
  });
});
