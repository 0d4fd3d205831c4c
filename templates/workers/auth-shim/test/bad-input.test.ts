import { describe, expect, inject, it } from 'vitest';
import { callWorker, captureLogs, instantEnv, requestLogLine, sessionRequest, supabaseEnv, uniqueIp } from './helpers.js';

const instant = inject('instant');
const supabase = inject('supabase');

/** A 400 (413 for a body over the limit) with the envelope, and the internal reason in the request's log line. */
async function expectBadRequest(request: Request, code: string, overrides = instantEnv(instant)) {
  const { result: response, logs } = await captureLogs(() => callWorker(request, overrides));
  const text = await response.text();
  expect(response.status, text).toBe(code === 'too_large' ? 413 : 400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(requestLogLine(logs).detail).toEqual(expect.any(String));
  return body.error;
}

function rawRequest(body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Request {
  return new Request('https://auth.test/auth/session', {
    method: 'POST',
    headers: { 'cf-connecting-ip': uniqueIp(), ...headers },
    body,
  });
}

describe('POST /auth/session refuses bad input with 400 (413 for a body over 8 KB, DESIGN §4)', () => {
  it('malformed JSON', async () => {
    await expectBadRequest(sessionRequest('{"refresh_token": "abc"'), 'invalid_json');
    await expectBadRequest(sessionRequest("{'refresh_token': 'abc'}"), 'invalid_json');
  });

  it('an empty body, with and without a body stream', async () => {
    await expectBadRequest(sessionRequest(''), 'invalid_json');
    await expectBadRequest(rawRequest(null), 'invalid_json');
  });

  it('bytes that are not UTF-8', async () => {
    await expectBadRequest(rawRequest(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 'invalid_json');
  });

  it('a body over 8 KB, declared by Content-Length', async () => {
    const huge = JSON.stringify({ refresh_token: instant.refreshToken, padding: 'x'.repeat(9000) });
    const error = await expectBadRequest(sessionRequest(huge), 'too_large');
    expect(error.message).toContain('8192');
  });

  it('a body over 8 KB streamed without Content-Length (counted while reading)', async () => {
    const chunk = new TextEncoder().encode(`{"refresh_token": "${instant.refreshToken}", "padding": "${'x'.repeat(1000)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Never ends on its own: the Worker must stop reading past 8 KB rather than buffer it all.
        controller.enqueue(sent === 0 ? chunk : new TextEncoder().encode('x'.repeat(1024)));
        sent += 1;
        if (sent > 1024) controller.close();
      },
    });
    const request = new Request('https://auth.test/auth/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': uniqueIp() },
      body: stream,
      // @ts-expect-error -- `duplex` is needed by some fetch implementations for a streamed body; workerd ignores it.
      duplex: 'half',
    });
    expect(request.headers.get('content-length')).toBeNull();
    await expectBadRequest(request, 'too_large');
    expect(sent).toBeLessThan(32);
  });

  it('a body of exactly 8 KB is still read', async () => {
    const prefix = `{"refresh_token": "${instant.refreshToken}", "padding": "`;
    const body = `${prefix}${'x'.repeat(8192 - prefix.length - 2)}"}`;
    expect(new TextEncoder().encode(body).byteLength).toBe(8192);
    const response = await callWorker(sessionRequest(body), instantEnv(instant));
    expect(response.status).toBe(200);
  });

  it('a wrong or missing content type', async () => {
    const body = JSON.stringify({ refresh_token: instant.refreshToken });
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      await expectBadRequest(sessionRequest(body, { contentType }), 'unsupported_media_type');
    }
    await expectBadRequest(sessionRequest(body, { contentType: null }), 'unsupported_media_type');
  });

  it('accepts application/json with a charset parameter', async () => {
    const request = sessionRequest({ refresh_token: instant.refreshToken }, { contentType: 'Application/JSON; charset=utf-8' });
    expect((await callWorker(request, instantEnv(instant))).status).toBe(200);
  });

  it('a missing token field (Instant: refresh_token; Supabase: access_token)', async () => {
    const error = await expectBadRequest(sessionRequest({}), 'bad_request');
    expect(error.message).toContain('refresh_token');
    await expectBadRequest(sessionRequest({ refresh_token: '' }), 'bad_request');
    await expectBadRequest(sessionRequest({ refresh_token: null }), 'bad_request');
    const supabaseError = await expectBadRequest(sessionRequest({ token: supabase.accessToken }), 'bad_request', supabaseEnv(supabase));
    expect(supabaseError.message).toContain('access_token');
  });

  it('a token that is not a string', async () => {
    for (const token of [12345, true, ['a'], { value: instant.refreshToken }]) {
      const error = await expectBadRequest(sessionRequest({ refresh_token: token }), 'bad_request');
      expect(error.message).toBe('"refresh_token" must be a string');
    }
  });

  it('a body that is JSON but not an object', async () => {
    for (const body of ['[]', `["${instant.refreshToken}"]`, 'null', '42', `"${instant.refreshToken}"`]) {
      await expectBadRequest(sessionRequest(body), 'bad_request');
    }
  });
});

describe('POST /auth/session refuses unusable tokens with 401 before asking the provider', () => {
  it.each([
    ['a line break (header injection into the provider call)', `${supabase.accessToken}\r\nx-admin: 1`],
    ['spaces', 'Bearer abc def'],
    ['non-ASCII', 'tökén'],
    ['over 4096 characters', 'a'.repeat(4097)],
  ])('%s', async (_name, token) => {
    const { result: response, logs } = await captureLogs(() => callWorker(sessionRequest({ access_token: token }), supabaseEnv(supabase)));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect(requestLogLine(logs).detail).toMatch(/^token_malformed/);
  });
});
