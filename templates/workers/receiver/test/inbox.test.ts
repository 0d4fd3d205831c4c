import { env, SELF } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { maxInboxBytes } from '../src/inbox.js';
import { testPreviousSigningSecret, testSigningSecret, untrustedSigningSecret } from './fixtures/signing-secrets.js';
import { call, newUserId, sessionFor, signedRequest, storedKeyCount } from './helpers.js';

const provision = async (userId = newUserId()) =>
  JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', jwt: await sessionFor(userId) });

describe('receiver', () => {
  it('answers GET /health without auth', async () => {
    const response = await SELF.fetch('https://receiver.test/health');
    expect(await response.json()).toEqual({ ok: true, service: 'receiver' });
  });

  it('accepts a request signed by the standardwebhooks reference library and dispatches it', async () => {
    const userId = newUserId();
    const response = await call(signedRequest(await provision(userId)));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; token: string; keyId: string; prefix: string; tier: string };
    expect(body).toMatchObject({ ok: true, tier: 'free' });
    expect(body.token).toMatch(/^obtk_[A-Za-z0-9_-]{43}$/);
    expect(body.token.startsWith(body.prefix)).toBe(true);
    // Only the hash is stored: the key appears in no stored name or value.
    const stored = await env.API_KEYS.list();
    for (const { name } of stored.keys) {
      expect(name).not.toContain(body.token);
      expect(await env.API_KEYS.get(name)).not.toContain(body.token);
    }
    const record = JSON.parse((await env.API_KEYS.get(stored.keys.find((k) => k.name.startsWith('key:'))!.name))!);
    expect(record).toMatchObject({ keyId: body.keyId, userId, name: 'CI', tier: 'free', prefix: body.prefix });
    expect(Date.parse(record.created_at)).toBeGreaterThan(0);
  });

  it('refuses a replayed request with 409 and dispatches nothing the second time', async () => {
    const request = signedRequest(await provision());
    expect((await call(request.clone())).status).toBe(200);
    const before = await storedKeyCount();
    const again = await call(request);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'replay' } });
    expect(await storedKeyCount()).toBe(before);
  });

  describe('attacks: refused, nothing dispatched', () => {
    // Read the clock when each request is made: the table is built long before the cases run.
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<Request>, number][] = [
      ['tampered body', async () => {
        const body = await provision();
        const good = signedRequest(body);
        return new Request(good, { body: body.replace('"CI"', '"CJ"') });
      }, 401],
      ['tampered id', async () => {
        const good = signedRequest(await provision());
        const headers = new Headers(good.headers);
        headers.set('webhook-id', `${headers.get('webhook-id')}x`);
        return new Request(good, { headers });
      }, 401],
      ['tampered timestamp', async () => {
        const good = signedRequest(await provision());
        const headers = new Headers(good.headers);
        headers.set('webhook-timestamp', String(Number(headers.get('webhook-timestamp')) - 1));
        return new Request(good, { headers });
      }, 401],
      ['stale timestamp (302 s old)', async () => signedRequest(await provision(), { timestamp: now() - 302 }), 401],
      ['future timestamp (302 s ahead)', async () => signedRequest(await provision(), { timestamp: now() + 302 }), 401],
      ['non-numeric timestamp', async () => signedRequest(await provision(), { headers: { 'webhook-timestamp': 'hello' } }), 401],
      ['wrong secret', async () => signedRequest(await provision(), { secret: untrustedSigningSecret }), 401],
      ['missing webhook-id', async () => signedRequest(await provision(), { headers: { 'webhook-id': undefined } }), 401],
      ['missing webhook-timestamp', async () => signedRequest(await provision(), { headers: { 'webhook-timestamp': undefined } }), 401],
      ['missing webhook-signature', async () => signedRequest(await provision(), { headers: { 'webhook-signature': undefined } }), 401],
      ['signature of another version only', async () => {
        const good = signedRequest(await provision());
        const headers = new Headers(good.headers);
        headers.set('webhook-signature', headers.get('webhook-signature')!.replace('v1,', 'v2,'));
        return new Request(good, { headers });
      }, 401],
      ['oversized body', async () => signedRequest(JSON.stringify({ action: 'provision-api-key', pad: 'x'.repeat(maxInboxBytes) })), 413],
    ];

    it.each(cases)('%s', async (_name, makeRequest, status) => {
      const before = await storedKeyCount();
      const response = await call(await makeRequest());
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      if (status === 401) expect(body.error).toMatchObject({ code: 'invalid_signature', message: 'Invalid or missing signature' });
      expect(await storedKeyCount()).toBe(before);
    });
  });

  describe('key rotation (SIGNING_SECRETS holds the new and the old secret)', () => {
    const rotating = { SIGNING_SECRETS: `${testSigningSecret} ${testPreviousSigningSecret}` };
    const signedWith = async (secrets: string[]) => {
      const request = signedRequest(await provision(), { secret: secrets[0] });
      if (secrets.length === 1) return request;
      const headers = new Headers(request.headers);
      const extra = new Webhook(secrets[1]!).sign(headers.get('webhook-id')!, new Date(Number(headers.get('webhook-timestamp')) * 1000), await request.clone().text());
      headers.set('webhook-signature', `${headers.get('webhook-signature')} ${extra}`);
      return new Request(request, { headers });
    };

    it('accepts old-only, new-only and both-keys signatures during the rotation', async () => {
      expect((await call(await signedWith([testPreviousSigningSecret]), rotating)).status).toBe(200);
      expect((await call(await signedWith([testSigningSecret]), rotating)).status).toBe(200);
      expect((await call(await signedWith([testSigningSecret, testPreviousSigningSecret]), rotating)).status).toBe(200);
    });

    it('accepts either slot when appshell rotated the secret (SIGNING_SECRETS_NEXT)', async () => {
      const slots = { SIGNING_SECRETS: testPreviousSigningSecret, SIGNING_SECRETS_NEXT: testSigningSecret };
      expect((await call(await signedWith([testPreviousSigningSecret]), slots)).status).toBe(200);
      expect((await call(await signedWith([testSigningSecret]), slots)).status).toBe(200);
      expect((await call(await signedWith([testPreviousSigningSecret]), { SIGNING_SECRETS: '', SIGNING_SECRETS_NEXT: testSigningSecret })).status).toBe(401);
    });

    it('refuses the old key once the rotation is finished', async () => {
      expect((await call(await signedWith([testPreviousSigningSecret]), { SIGNING_SECRETS: testSigningSecret })).status).toBe(401);
    });

    it('answers 500 misconfigured (not 401) without a usable secret', async () => {
      for (const SIGNING_SECRETS of ['', 'whsec_']) {
        const response = await call(signedRequest(await provision()), { SIGNING_SECRETS });
        expect(response.status).toBe(500);
        expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
      }
    });
  });

  describe('dispatch', () => {
    it('refuses an unknown action with 400', async () => {
      const response = await call(signedRequest(JSON.stringify({ action: 'drop-tables' })));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'unknown_action' } });
    });

    it('refuses malformed JSON with 400 even when signed', async () => {
      expect((await call(signedRequest('{"action":'))).status).toBe(400);
    });

    it('needs a valid session JWT for an action that requires a user', async () => {
      const before = await storedKeyCount();
      const missing = await call(signedRequest(JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free' })));
      expect(missing.status).toBe(401);
      const expired = await call(signedRequest(JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', jwt: await sessionFor(newUserId(), { expiresIn: -60 }) })));
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ error: { code: 'invalid_token' } });
      expect(await storedKeyCount()).toBe(before);
    });

    it('validates the action payload', async () => {
      const jwt = await sessionFor(newUserId());
      const response = await call(signedRequest(JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'platinum', jwt })));
      expect(response.status).toBe(400);
    });

    it("revokes the user's own key, and answers 404 for another user's", async () => {
      const owner = newUserId();
      const created = (await (await call(signedRequest(await provision(owner)))).json()) as { keyId: string };
      const stranger = await call(signedRequest(JSON.stringify({ action: 'revoke-api-key', keyId: created.keyId, jwt: await sessionFor(newUserId()) })));
      expect(stranger.status).toBe(404);
      const revoked = await call(signedRequest(JSON.stringify({ action: 'revoke-api-key', keyId: created.keyId, jwt: await sessionFor(owner) })));
      expect(await revoked.json()).toEqual({ ok: true, keyId: created.keyId });
    });
  });
});
