import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { maxSendBytes } from '../src/send.js';
import { call, post, sendUrl } from './helpers.js';

const allowedOrigin = (env.ALLOWED_ORIGINS ?? '').split(',')[0]!;

describe('POST /send input', () => {
  it.each([
    ['malformed JSON', () => post('{"action":'), 400],
    ['empty body', () => post(''), 400],
    ['not an object', () => post('[1,2]'), 400],
    ['missing action', () => post({ name: 'x' }), 400],
    ['action that is not a name', () => post({ action: 'Drop Tables;' }), 400],
    ['action over 64 characters', () => post({ action: `a${'-b'.repeat(40)}` }), 400],
    ['non-string jwt', () => post({ action: 'ping', jwt: 42 }), 400],
    ['wrong content type', () => new Request(sendUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 415],
    ['body over 64 KB', () => post({ action: 'ping', pad: 'x'.repeat(maxSendBytes) }), 413],
    [
      'body over 64 KB without Content-Length (streamed)',
      () => {
        const chunk = new TextEncoder().encode(`{"action":"ping","pad":"${'x'.repeat(16 * 1024)}`);
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += 1;
            if (sent > 5) controller.close();
            else controller.enqueue(chunk);
          },
        });
        return new Request(sendUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream });
      },
      413,
    ],
  ])('refuses %s', async (_name, makeRequest, status) => {
    const response = await SELF.fetch(makeRequest());
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('answers 405 to other methods on /send', async () => {
    const response = await SELF.fetch(sendUrl);
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toContain('POST');
  });

  it('answers 500 misconfigured, saying nothing more, without a usable secret or receiver', async () => {
    for (const overrides of [
      { SIGNING_SECRETS: '' },
      { SIGNING_SECRETS: 'whsec_' },
      { SIGNING_SECRETS: 'whsec_not base64!' },
      { SIGNING_SECRETS: 'whsec_c2hvcnQ=' },
      { RECEIVER: undefined, RECEIVER_URL: '' },
      { RECEIVER_URL: 'ftp://receiver.example' },
    ]) {
      const response = await call(post({ action: 'ping' }), overrides);
      expect(response.status, JSON.stringify(overrides)).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'misconfigured', message: 'Server misconfigured' } });
    }
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the allowed method and headers', async () => {
    const response = await SELF.fetch(sendUrl, {
      method: 'OPTIONS',
      headers: {
        Origin: allowedOrigin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(allowedOrigin);
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });

  it('sends the allowed origin back on the POST itself', async () => {
    const response = await SELF.fetch(post({ action: 'drop-tables' }, { Origin: allowedOrigin }));
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(allowedOrigin);
  });

  it('sends no CORS headers to another origin', async () => {
    const preflight = await SELF.fetch(sendUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBeNull();
    const posted = await SELF.fetch(post({ action: 'drop-tables' }, { Origin: 'https://evil.example' }));
    expect(posted.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('never answers * even when the allow-list says so', async () => {
    const response = await call(post({ action: 'drop-tables' }, { Origin: 'https://any.example' }), { ALLOWED_ORIGINS: '*' });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
