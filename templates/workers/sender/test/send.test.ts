import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { testPreviousSigningSecret, testSigningSecret, untrustedSigningSecret } from './fixtures/signing-secrets.js';
import { call, newUserId, post, sessionFor, viaRealReceiverUrl, viaReference } from './helpers.js';

type Provisioned = { ok: boolean; token: string; keyId: string; prefix: string; tier: string };
type Verified = { verified: boolean; id: string; body: Record<string, unknown>; entries: number; reason?: string };

const deliveries = async () => (await (await fetch(`${inject('referenceReceiverUrl')}/log`)).json()) as { path: string; id: string }[];

describe('sender -> real receiver', () => {
  it('answers GET /health without auth', async () => {
    expect(await (await SELF.fetch('https://sender.test/health')).json()).toEqual({ ok: true, service: 'sender' });
  });

  it('provisions an API key through the RECEIVER service binding and relays the answer', async () => {
    const jwt = await sessionFor(newUserId());
    const response = await SELF.fetch(
      post({ action: 'provision-api-key', name: 'phone', tier: 'free' }, { authorization: `Bearer ${jwt}` }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as Provisioned;
    expect(body).toMatchObject({ ok: true, tier: 'free' });
    expect(body.token).toMatch(/^obtk_[A-Za-z0-9_-]{43}$/);
  });

  it('provisions an API key through RECEIVER_URL (the receiver served over HTTP on 127.0.0.1)', async () => {
    const jwt = await sessionFor(newUserId(), { alg: 'HS256' });
    const response = await call(post({ action: 'provision-api-key', name: 'laptop', tier: 'free', jwt }), viaRealReceiverUrl());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, tier: 'free', token: expect.stringMatching(/^obtk_/) });
  });

  it('takes the session JWT from a jwt field, and prefers the Authorization header over it', async () => {
    const fromField = await SELF.fetch(
      post({ action: 'provision-api-key', name: 'web', tier: 'free', jwt: await sessionFor(newUserId()) }),
    );
    expect(fromField.status).toBe(200);
    const jwt = await sessionFor(newUserId());
    const both = await SELF.fetch(
      post({ action: 'provision-api-key', name: 'web', tier: 'free', jwt: 'not.a.jwt' }, { authorization: `Bearer ${jwt}` }),
    );
    expect(both.status).toBe(200);
  });

  it("relays the receiver's refusals with their status and envelope (unknown action, no user, expired user)", async () => {
    const unknown = await SELF.fetch(post({ action: 'drop-tables' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_action' } });
    const noUser = await SELF.fetch(post({ action: 'provision-api-key', name: 'x', tier: 'free' }));
    expect(noUser.status).toBe(401);
    expect(await noUser.json()).toMatchObject({ error: { code: 'invalid_token' } });
    const expired = await SELF.fetch(
      post({ action: 'provision-api-key', name: 'x', tier: 'free', jwt: await sessionFor(newUserId(), { expiresIn: -60 }) }),
    );
    expect(expired.status).toBe(401);
  });

  describe('rotation (the real receiver holds only the current secret)', () => {
    const provision = async (SIGNING_SECRETS: string) =>
      call(post({ action: 'provision-api-key', name: 'rot', tier: 'free', jwt: await sessionFor(newUserId()) }), { SIGNING_SECRETS });

    it('is accepted while the sender signs with the new and the old secret, or the new only', async () => {
      expect((await provision(`${testSigningSecret} ${testPreviousSigningSecret}`)).status).toBe(200);
      expect((await provision(`${testPreviousSigningSecret} ${testSigningSecret}`)).status).toBe(200);
      expect((await provision(testSigningSecret)).status).toBe(200);
      expect(
        (await call(post({ action: 'ping' }), { SIGNING_SECRETS: testPreviousSigningSecret, SIGNING_SECRETS_NEXT: testSigningSecret }))
          .status,
      ).toBe(400);
    });

    it('is refused with 401 when the sender holds only a secret the receiver does not', async () => {
      const response = await provision(testPreviousSigningSecret);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    });
  });
});

describe('sender -> standardwebhooks reference receiver (interop)', () => {
  it('signs so that the reference library verifies it, with the JWT inside the signed body', async () => {
    const response = await call(
      post({ action: 'ping', n: 1, text: 'héllo ✓' }, { authorization: 'Bearer header.jwt.value' }),
      viaReference(),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as Verified;
    expect(body.verified).toBe(true);
    expect(body.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(body.body).toEqual({ action: 'ping', n: 1, text: 'héllo ✓', jwt: 'header.jwt.value' });
  });

  it('writes one v1 entry per secret, and any one the receiver holds verifies', async () => {
    const rotating = await call(post({ action: 'ping' }), {
      ...viaReference(),
      SIGNING_SECRETS: `${untrustedSigningSecret} ${testSigningSecret}`,
    });
    expect(await rotating.json()).toMatchObject({ verified: true, entries: 2 });
    const slots = await call(post({ action: 'ping' }), {
      ...viaReference(),
      SIGNING_SECRETS: untrustedSigningSecret,
      SIGNING_SECRETS_NEXT: testSigningSecret,
    });
    expect(await slots.json()).toMatchObject({ verified: true, entries: 2 });
    const wrong = await call(post({ action: 'ping' }), { ...viaReference(), SIGNING_SECRETS: untrustedSigningSecret });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ verified: false, reason: 'No matching signature found' });
  });

  it('gives every request a fresh webhook-id', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 5; index += 1)
      ids.add(((await (await call(post({ action: 'ping' }), viaReference())).json()) as Verified).id);
    expect(ids.size).toBe(5);
  });
});

describe('retries', () => {
  it('retries 503 answers with the same webhook-id and signature', async () => {
    const response = await call(post({ action: 'ping' }), viaReference('/flaky-2'));
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as Verified;
    expect((await deliveries()).filter((entry) => entry.id === id).map((entry) => entry.path)).toEqual([
      '/flaky-2/inbox',
      '/flaky-2/inbox',
      '/flaky-2/inbox',
    ]);
  });

  it("relays the receiver's own 503 after the last attempt", async () => {
    const response = await call(post({ action: 'ping' }), viaReference('/flaky-3'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
  });

  it('answers 502 (not "replay") when a retry finds that an earlier attempt arrived', async () => {
    const response = await call(post({ action: 'ping' }), viaReference('/lost'));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'upstream_failed' } });
    const lost = (await deliveries()).filter((entry) => entry.path === '/lost/inbox');
    expect(lost).toHaveLength(2);
    expect(lost[0]!.id).toBe(lost[1]!.id);
  });

  it('answers 502 when the receiver stays unreachable or answers without JSON', async () => {
    const unreachable = await call(post({ action: 'ping' }), { RECEIVER_URL: inject('closedPortUrl') });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toMatchObject({ error: { code: 'upstream_failed' } });
    expect((await call(post({ action: 'ping' }), viaReference('/text'))).status).toBe(502);
  });

  it('retries a service binding that throws, then answers 502', async () => {
    let calls = 0;
    const failing = {
      fetch: async () => {
        calls += 1;
        throw new Error('connection reset');
      },
    } as unknown as Fetcher;
    const response = await call(post({ action: 'ping' }), { RECEIVER: failing, RECEIVER_URL: '' });
    expect(response.status).toBe(502);
    expect(calls).toBe(3);
  });
});
