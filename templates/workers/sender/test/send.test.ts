import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { maxSendBytes } from '../src/send.js';
import { testSessionSecret } from './fixtures/session-test-keys.js';

const sendUrl = 'https://sender.test/send';
const allowedOrigin = (env.ALLOWED_ORIGINS ?? '').split(',')[0]!;

/** A session JWT as the auth shim mints it, for the receiver's issuer and audience (its config, not the sender's). */
async function session(userId: string): Promise<string> {
  const { issuer, audience } = inject('receiverSession');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(testSessionSecret));
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  new Request(sendUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function call(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const viaUrl = (path = '') => ({ RECEIVER: undefined, RECEIVER_URL: `${inject('referenceReceiverUrl')}${path}` });

describe('sender', () => {
  it('answers GET /health without auth', async () => {
    expect(await (await SELF.fetch('https://sender.test/health')).json()).toEqual({ ok: true, service: 'sender' });
  });

  it('signs and forwards through the RECEIVER service binding, relaying the answer (API key provisioning)', async () => {
    const jwt = await session('user_sender_1');
    const response = await SELF.fetch(post({ action: 'provision-api-key', name: 'phone', tier: 'free' }, { authorization: `Bearer ${jwt}` }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; token: string; tier: string };
    expect(body).toMatchObject({ ok: true, tier: 'free' });
    expect(body.token).toMatch(/^obtk_/);
  });

  it('takes the session JWT from a jwt field too', async () => {
    const response = await SELF.fetch(post({ action: 'provision-api-key', name: 'web', tier: 'pro', jwt: await session('user_sender_2') }));
    expect(response.status).toBe(200);
  });

  it("relays the receiver's refusals (unknown action, missing user)", async () => {
    const unknown = await SELF.fetch(post({ action: 'drop-tables' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_action' } });
    const noUser = await SELF.fetch(post({ action: 'provision-api-key', name: 'x', tier: 'free' }));
    expect(noUser.status).toBe(401);
  });

  it('signs so that the standardwebhooks reference library verifies it, over RECEIVER_URL, with the JWT inside the signed body', async () => {
    const response = await call(post({ action: 'ping', n: 1 }, { authorization: 'Bearer header.jwt.value' }), viaUrl());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { verified: boolean; id: string; body: Record<string, unknown> };
    expect(body.verified).toBe(true);
    expect(body.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(body.body).toEqual({ action: 'ping', n: 1, jwt: 'header.jwt.value' });
  });

  it('retries 503 answers with the same webhook-id', async () => {
    const response = await call(post({ action: 'ping' }), viaUrl('/flaky-2'));
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const log = (await (await fetch(`${inject('referenceReceiverUrl')}/log`)).json()) as { path: string; id: string }[];
    expect(log.filter((entry) => entry.id === id).map((entry) => entry.path)).toEqual(['/flaky-2/inbox', '/flaky-2/inbox', '/flaky-2/inbox']);
  });

  it('answers 502 when the receiver stays unreachable or answers without JSON', async () => {
    const unreachable = await call(post({ action: 'ping' }), { RECEIVER: undefined, RECEIVER_URL: inject('closedPortUrl') });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toMatchObject({ error: { code: 'upstream_failed' } });
    expect((await call(post({ action: 'ping' }), viaUrl('/text'))).status).toBe(502);
  });

  it('answers 500 misconfigured without a secret or a receiver', async () => {
    expect((await call(post({ action: 'ping' }), { SIGNING_SECRETS: '' })).status).toBe(500);
    expect((await call(post({ action: 'ping' }), { RECEIVER: undefined, RECEIVER_URL: '' })).status).toBe(500);
  });

  it.each([
    ['malformed JSON', post('{"action":'), 400],
    ['empty body', post(''), 400],
    ['not an object', post('[1,2]'), 400],
    ['missing action', post({ name: 'x' }), 400],
    ['action that is not a name', post({ action: 'Drop Tables;' }), 400],
    ['non-string jwt', post({ action: 'ping', jwt: 42 }), 400],
    ['wrong content type', new Request(sendUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 415],
    ['body over 64 KB', post({ action: 'ping', pad: 'x'.repeat(maxSendBytes) }), 413],
  ])('refuses %s', async (_name, request, status) => {
    const response = await SELF.fetch(request);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String) } });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin with 204', async () => {
      const response = await SELF.fetch(sendUrl, {
        method: 'OPTIONS',
        headers: { Origin: allowedOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe(allowedOrigin);
      expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    });

    it('sends no CORS headers to another origin', async () => {
      const response = await SELF.fetch(sendUrl, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
      const posted = await SELF.fetch(post({ action: 'drop-tables' }, { Origin: 'https://evil.example' }));
      expect(posted.headers.get('Access-Control-Allow-Origin')).toBeNull();
    });
  });
});
