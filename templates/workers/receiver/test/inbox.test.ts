import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { maxInboxBytes } from '../src/inbox.js';
import { untrustedSigningSecret } from './fixtures/signing-secrets.js';
import { call, inboxUrl, newUserId, sessionFor, signedRequest, storedKeyCount } from './helpers.js';

const provision = async (userId = newUserId()) =>
  JSON.stringify({ action: 'provision-api-key', name: 'CI', tier: 'free', jwt: await sessionFor(userId) });
const now = () => Math.floor(Date.now() / 1000);
const withHeader = (request: Request, name: string, value: (old: string) => string) => {
  const headers = new Headers(request.headers);
  headers.set(name, value(headers.get(name) ?? ''));
  return new Request(request, { headers });
};

describe('receiver', () => {
  it('answers GET /health without auth', async () => {
    const response = await SELF.fetch('https://receiver.test/health');
    expect(await response.json()).toEqual({ ok: true, service: 'receiver' });
  });

  it('answers 405 to other methods on /inbox, without looking for a signature', async () => {
    const response = await SELF.fetch(inboxUrl);
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toContain('POST');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  // Red-team finding: `Allow: POST, OPTIONS` while OPTIONS itself was a 405. No browser calls the receiver.
  it('does not offer OPTIONS it does not answer: OPTIONS is a 405 whose Allow lists only what works', async () => {
    for (const [url, allow] of [
      [inboxUrl, 'POST'],
      ['https://receiver.test/health', 'GET, HEAD'],
    ] as const) {
      const response = await SELF.fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(response.status, url).toBe(405);
      expect(response.headers.get('Allow'), url).toBe(allow);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect((await SELF.fetch(url, { method: 'PUT' })).headers.get('Allow'), url).toBe(allow);
    }
  });

  it('accepts a request signed by the standardwebhooks reference library and provisions a key, storing only its hash', async () => {
    const userId = newUserId();
    const response = await call(signedRequest(await provision(userId)));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; token: string; keyId: string; prefix: string; tier: string };
    expect(body).toMatchObject({ ok: true, tier: 'free' });
    expect(body.token).toMatch(/^obtk_[A-Za-z0-9_-]{43}$/);
    expect(body.token.startsWith(body.prefix)).toBe(true);
    const stored = await env.API_KEYS.list();
    for (const { name } of stored.keys) {
      expect(name).not.toContain(body.token);
      expect(await env.API_KEYS.get(name)).not.toContain(body.token);
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body.token)));
    const hash = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const record = await env.API_KEYS.get<Record<string, unknown>>(`key:${hash}`, 'json');
    expect(record).toMatchObject({ keyId: body.keyId, userId, name: 'CI', tier: 'free', prefix: body.prefix });
    expect(Date.parse(String(record?.created_at))).toBeGreaterThan(0);
  });
});

describe('replay', () => {
  it('refuses a replayed request with 409 and dispatches nothing the second time', async () => {
    const request = signedRequest(await provision());
    expect((await call(request.clone())).status).toBe(200);
    const before = await storedKeyCount();
    const again = await call(request);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'replay' } });
    expect(await storedKeyCount()).toBe(before);
  });

  it('lets exactly one of two concurrent deliveries of one id through', async () => {
    const request = signedRequest(await provision());
    const before = await storedKeyCount();
    const statuses = (await Promise.all([call(request.clone()), call(request.clone()), call(request)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    expect(await storedKeyCount()).toBe(before + 1);
  });

  it('refuses the id even when re-signed with a new timestamp (the id, not the signature, is one-time)', async () => {
    const id = `msg_${crypto.randomUUID()}`;
    const body = await provision();
    expect((await call(signedRequest(body, { id, timestamp: now() - 10 }))).status).toBe(200);
    expect((await call(signedRequest(body, { id }))).status).toBe(409);
  });
});

describe('attacks: refused, nothing dispatched, and the genuine request with the same id still passes', () => {
  // Each attack is built from the genuine request's id and body when the case runs (the clock matters).
  type Attack = (id: string, body: string) => Request | Promise<Request>;
  const cases: [string, Attack, number][] = [
    ['tampered body', (id, body) => new Request(signedRequest(body, { id }), { body: body.replace('"CI"', '"CJ"') }), 401],
    ['tampered id', (id, body) => withHeader(signedRequest(body, { id }), 'webhook-id', (old) => `${old}x`), 401],
    [
      'tampered timestamp',
      (id, body) => withHeader(signedRequest(body, { id }), 'webhook-timestamp', (old) => String(Number(old) - 1)),
      401,
    ],
    [
      'tampered signature',
      (id, body) =>
        withHeader(
          signedRequest(body, { id }),
          'webhook-signature',
          (old) => `${old.slice(0, 10)}${old[10] === 'A' ? 'B' : 'A'}${old.slice(11)}`,
        ),
      401,
    ],
    ['stale timestamp (302 s old)', (id, body) => signedRequest(body, { id, timestamp: now() - 302 }), 401],
    ['future timestamp (302 s ahead)', (id, body) => signedRequest(body, { id, timestamp: now() + 302 }), 401],
    ['non-numeric timestamp', (id, body) => signedRequest(body, { id, headers: { 'webhook-timestamp': 'hello' } }), 401],
    ['wrong secret', (id, body) => signedRequest(body, { id, secret: untrustedSigningSecret }), 401],
    ['missing webhook-id', (id, body) => signedRequest(body, { id, headers: { 'webhook-id': undefined } }), 401],
    ['missing webhook-timestamp', (id, body) => signedRequest(body, { id, headers: { 'webhook-timestamp': undefined } }), 401],
    ['missing webhook-signature', (id, body) => signedRequest(body, { id, headers: { 'webhook-signature': undefined } }), 401],
    [
      'signature of another version only',
      (id, body) => withHeader(signedRequest(body, { id }), 'webhook-signature', (old) => old.replace('v1,', 'v2,')),
      401,
    ],
    ['signature entry that is not base64', (id, body) => signedRequest(body, { id, headers: { 'webhook-signature': 'v1,!!!! v1,' } }), 401],
    ['id with a space, validly signed', (_id, body) => signedRequest(body, { id: 'msg one' }), 401],
    [
      'oversized body (Content-Length)',
      (id) => signedRequest(JSON.stringify({ action: 'provision-api-key', pad: 'x'.repeat(maxInboxBytes) }), { id }),
      413,
    ],
    [
      'oversized body streamed without Content-Length',
      (id) => {
        const body = JSON.stringify({ action: 'provision-api-key', pad: 'x'.repeat(maxInboxBytes) });
        const signed = signedRequest(body, { id });
        const bytes = new TextEncoder().encode(body);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let offset = 0; offset < bytes.byteLength; offset += 8192) controller.enqueue(bytes.slice(offset, offset + 8192));
            controller.close();
          },
        });
        return new Request(inboxUrl, { method: 'POST', headers: signed.headers, body: stream });
      },
      413,
    ],
  ];

  it.each(cases)('%s', async (_name, attack, status) => {
    const id = `msg_${crypto.randomUUID()}`;
    const body = await provision();
    const before = await storedKeyCount();
    const response = await call(await attack(id, body));
    expect(response.status).toBe(status);
    const refusal = (await response.json()) as { error: { code: string; message: string } };
    if (status === 401) expect(refusal.error).toMatchObject({ code: 'invalid_signature', message: 'Invalid or missing signature' });
    expect(await storedKeyCount()).toBe(before);
    // A refused request must not use up the id: otherwise anyone could block a genuine delivery.
    expect((await call(signedRequest(body, { id }))).status).toBe(200);
    expect(await storedKeyCount()).toBe(before + 1);
  });
});
