import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { importJWK, SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../src/lib/webhook-signature.js';
import { testSessionKeys } from './fixtures/session-test-keys.js';
import { testPreviousSigningSecret, testSigningSecret } from './fixtures/signing-secrets.js';
import { call, newUserId, sessionFor, signedRequest, storedKeyCount } from './helpers.js';

const provision = async (userId = newUserId()) =>
  JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', jwt: await sessionFor(userId) });

describe('key rotation (SIGNING_SECRETS holds the new and the old secret)', () => {
  const rotating = { SIGNING_SECRETS: `${testSigningSecret} ${testPreviousSigningSecret}` };
  const signedWith = async (secrets: string[]) => {
    const request = signedRequest(await provision(), { secret: secrets[0] });
    if (secrets.length === 1) return request;
    const headers = new Headers(request.headers);
    const extra = new Webhook(secrets[1]!).sign(
      headers.get('webhook-id')!,
      new Date(Number(headers.get('webhook-timestamp')) * 1000),
      await request.clone().text(),
    );
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
    expect(
      (await call(await signedWith([testPreviousSigningSecret]), { SIGNING_SECRETS: '', SIGNING_SECRETS_NEXT: testSigningSecret })).status,
    ).toBe(401);
  });

  it('refuses the old key once the rotation is finished, even next to the new one in the header', async () => {
    expect((await call(await signedWith([testPreviousSigningSecret]), { SIGNING_SECRETS: testSigningSecret })).status).toBe(401);
    expect(
      (await call(await signedWith([testPreviousSigningSecret, testSigningSecret]), { SIGNING_SECRETS: testSigningSecret })).status,
    ).toBe(200);
  });

  it('answers 500 misconfigured (not 401) without a usable secret, and dispatches nothing', async () => {
    const before = await storedKeyCount();
    for (const SIGNING_SECRETS of ['', 'whsec_', 'whsec_c2hvcnQ=']) {
      const response = await call(signedRequest(await provision()), { SIGNING_SECRETS });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'misconfigured', message: 'Server misconfigured' } });
    }
    expect(await storedKeyCount()).toBe(before);
  });
});

describe('dispatch', () => {
  it('refuses an unknown action with 400', async () => {
    const response = await call(signedRequest(JSON.stringify({ action: 'drop-tables' })));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_action' } });
    expect((await call(signedRequest(JSON.stringify({ action: 42 })))).status).toBe(400);
  });

  it('refuses malformed JSON and a non-object with 400 even when signed, and a body that is not UTF-8 with 401', async () => {
    expect((await call(signedRequest('{"action":'))).status).toBe(400);
    expect((await call(signedRequest('["provision-api-key"]'))).status).toBe(400);
    // The reference library signs text: bytes that are not UTF-8 cannot carry a valid signature.
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"<0xff>"}
    const lossy = new TextDecoder().decode(bytes);
    const signed = await signRequest([testSigningSecret], `msg_${crypto.randomUUID()}`, Math.floor(Date.now() / 1000), lossy);
    if (!signed.ok) throw new Error(signed.reason);
    const before = await storedKeyCount();
    const response = await call(new Request('https://receiver.test/inbox', { method: 'POST', headers: signed.headers, body: bytes }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(await storedKeyCount()).toBe(before);
  });

  it('needs a valid session JWT for an action that requires a user, and runs nothing without one', async () => {
    const before = await storedKeyCount();
    const body = (jwt?: unknown) =>
      JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', ...(jwt === undefined ? {} : { jwt }) });
    for (const jwt of [undefined, '', 42, 'not.a.jwt', await sessionFor(newUserId(), { expiresIn: -60 })]) {
      const response = await call(signedRequest(body(jwt)));
      expect(response.status, String(jwt)).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_token' } });
    }
    expect(await storedKeyCount()).toBe(before);
  });

  it('validates the action payload', async () => {
    const jwt = await sessionFor(newUserId());
    for (const payload of [
      { name: 'CI', tier: 'platinum' },
      { name: '', tier: 'free' },
      { name: 'x'.repeat(101), tier: 'free' },
      { tier: 'free' },
    ]) {
      const response = await call(signedRequest(JSON.stringify({ action: 'provision-api-key', ...payload, jwt })));
      expect(response.status, JSON.stringify(payload).slice(0, 40)).toBe(400);
    }
  });

  it("revokes the user's own key, and answers 404 for another user's", async () => {
    const owner = newUserId();
    const created = (await (await call(signedRequest(await provision(owner)))).json()) as { keyId: string };
    const stranger = await call(
      signedRequest(JSON.stringify({ action: 'revoke-api-key', keyId: created.keyId, jwt: await sessionFor(newUserId()) })),
    );
    expect(stranger.status).toBe(404);
    const revoked = await call(
      signedRequest(JSON.stringify({ action: 'revoke-api-key', keyId: created.keyId, jwt: await sessionFor(owner) })),
    );
    expect(await revoked.json()).toEqual({ ok: true, keyId: created.keyId });
  });

  it('forgets the id when the user could not be checked for a server-side reason, so the retry passes', async () => {
    const key = await importJWK(testSessionKeys.privateJwk, 'EdDSA');
    const jwt = await new SignJWT({ roles: [] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: testSessionKeys.kid })
      .setSubject(newUserId())
      .setIssuer(env.SESSION_JWT_ISSUER ?? '')
      .setAudience(env.SESSION_JWT_AUDIENCE ?? '')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
    const request = signedRequest(JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', jwt }));
    const down = {
      fetch: async () => {
        throw new Error('auth shim down');
      },
    } as unknown as Fetcher;
    const up = { fetch: async () => Response.json({ keys: [testSessionKeys.publicJwk] }) } as unknown as Fetcher;
    const before = await storedKeyCount();
    const failed = await call(request.clone(), { SESSION_JWT_ALG: 'EdDSA', AUTH_SHIM: down });
    expect(failed.status).toBe(502);
    expect(await storedKeyCount()).toBe(before);
    expect((await call(request.clone(), { SESSION_JWT_ALG: 'EdDSA', AUTH_SHIM: up })).status).toBe(200);
    expect((await call(request, { SESSION_JWT_ALG: 'EdDSA', AUTH_SHIM: up })).status).toBe(409);
  });
});

describe('replay guard storage', () => {
  it('remembers an id in SQLite until its window is over, then an alarm deletes it', async () => {
    const id = `msg_${crypto.randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await call(signedRequest(await provision(), { id, timestamp }))).status).toBe(200);
    const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`webhook/${id}`));
    const stored = await runInDurableObject(stub, async (_instance, state) => ({
      rows: state.storage.sql.exec<{ expires_at: number }>('SELECT expires_at FROM seen').toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored.rows).toEqual([{ expires_at: (timestamp + 360) * 1000 }]);
    expect(stored.alarm).toBe((timestamp + 360) * 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'seen'").toArray(),
    );
    expect(after).toEqual([]);
  });
});
