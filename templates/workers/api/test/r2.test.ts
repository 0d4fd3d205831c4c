import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { AwsClient } from 'aws4fetch';
import { describe, expect, inject, it } from 'vitest';
import app from '../src/index.js';
import { checkKey } from '../src/r2/keys.js';
import { presignPut } from '../src/r2/presign.js';
import { base, mintSession, newUserId } from './helpers.js';

async function as(userId: string, tenant?: string) {
  const token = await mintSession({ sub: userId, ...(tenant ? { tenant } : {}) });
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  return {
    upload: (key: string | undefined, body: string, extra: Record<string, string> = {}) =>
      SELF.fetch(`${base}/v1/r2/upload?${key === undefined ? '' : `key=${encodeURIComponent(key)}&`}contentType=text/plain`, {
        method: 'POST',
        headers: headers({ 'content-length': String(new TextEncoder().encode(body).byteLength), ...extra }),
        body,
      }),
    get: (key: string, extra: Record<string, string> = {}, method = 'GET') =>
      SELF.fetch(`${base}/v1/r2/object?key=${encodeURIComponent(key)}`, { method, headers: headers(extra) }),
    remove: (key: string) => SELF.fetch(`${base}/v1/r2/object?key=${encodeURIComponent(key)}`, { method: 'DELETE', headers: headers() }),
    list: (query = '') => SELF.fetch(`${base}/v1/r2/list${query}`, { headers: headers() }),
    signedPut: (query: string) => SELF.fetch(`${base}/v1/r2/signed-put${query}`, { headers: headers() }),
  };
}

describe('R2 proxy routes', () => {
  it('stores under the caller prefix and answers with relative keys', async () => {
    const userId = newUserId();
    const alice = await as(userId);
    const stored = await alice.upload('notes/hello.txt', 'hello world');
    expect(stored.status).toBe(200);
    const body = (await stored.json()) as { key: string; size: number; etag: string; uploaded: string };
    expect(body).toMatchObject({ key: 'notes/hello.txt', size: 11 });
    const object = await env.R2.head(`${userId}/notes/hello.txt`);
    expect(object?.customMetadata).toEqual({ userId });
    expect(object?.httpMetadata?.contentType).toBe('text/plain');
    const listed = (await (await alice.list()).json()) as { objects: { key: string }[] };
    expect(listed.objects.map((o) => o.key)).toEqual(['notes/hello.txt']);
  });

  it('generates a key when none is given', async () => {
    const response = await (await as(newUserId())).upload(undefined, 'x');
    const { key } = (await response.json()) as { key: string };
    expect(key).toMatch(/^\d{4}\/\d{2}\/\d+-[0-9a-f]{12}\.txt$/);
  });

  it('downloads with etag, honours Range (206), If-None-Match (304) and HEAD', async () => {
    const alice = await as(newUserId());
    await alice.upload('a.txt', '0123456789');
    const full = await alice.get('a.txt');
    expect(await full.text()).toBe('0123456789');
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const partial = await alice.get('a.txt', { range: 'bytes=2-5' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');
    expect((await alice.get('a.txt', { 'if-none-match': etag })).status).toBe(304);
    const head = await alice.get('a.txt', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
  });

  it('deletes, then answers 404', async () => {
    const alice = await as(newUserId());
    await alice.upload('gone.txt', 'bye');
    expect(await (await alice.remove('gone.txt')).json()).toEqual({ deleted: true, key: 'gone.txt' });
    expect((await alice.get('gone.txt')).status).toBe(404);
    expect((await alice.remove('gone.txt')).status).toBe(404);
  });

  it("never lets another user read, list, overwrite or delete an object (404, or 400 for traversal)", async () => {
    const aliceId = newUserId();
    const alice = await as(aliceId);
    const bob = await as(newUserId());
    await alice.upload('secret.txt', 'for alice');
    expect((await bob.get('secret.txt')).status).toBe(404);
    expect((await bob.get('secret.txt', {}, 'HEAD')).status).toBe(404);
    expect((await bob.remove('secret.txt')).status).toBe(404);
    expect(((await (await bob.list()).json()) as { objects: unknown[] }).objects).toEqual([]);
    await bob.upload('secret.txt', 'bob writes his own');
    expect(await (await alice.get('secret.txt')).text()).toBe('for alice');
    for (const key of [`../${aliceId}/secret.txt`, `%2e%2e/${aliceId}/secret.txt`, `/${aliceId}/secret.txt`, `a\\..\\${aliceId}`]) {
      const response = await bob.get(key);
      expect(response.status, key).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_key' } });
    }
    expect((await bob.list('?prefix=../')).status).toBe(400);
    const signed = await bob.signedPut(`?key=${encodeURIComponent(`../${aliceId}/secret.txt`)}`);
    expect(signed.status).toBe(400);
  });

  it('keeps tenants apart', async () => {
    const userId = newUserId();
    await (await as(userId, 'acme')).upload('t.txt', 'acme');
    expect(await env.R2.head(`acme/${userId}/t.txt`)).not.toBeNull();
    expect((await (await as(userId, 'globex')).get('t.txt')).status).toBe(404);
  });

  it('refuses over-cap and length-less uploads and stores nothing', async () => {
    const userId = newUserId();
    const authorization = `Bearer ${await mintSession({ sub: userId })}`;
    const ctx = createExecutionContext();
    const declared = await app.fetch(
      new Request(`${base}/v1/r2/upload?key=big.bin`, { method: 'POST', headers: { authorization, 'content-length': '20' }, body: 'twenty bytes of data' }),
      { ...env, MAX_UPLOAD_BYTES: '8' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'too_large' } });
    const stream = new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode('chunk')); controller.close(); } });
    const chunked = await SELF.fetch(`${base}/v1/r2/upload?key=chunked.bin`, { method: 'POST', headers: { authorization }, body: stream });
    expect(chunked.status).toBe(411);
    expect(await env.R2.head(`${userId}/big.bin`)).toBeNull();
    expect(await env.R2.head(`${userId}/chunked.bin`)).toBeNull();
  });
});

describe('keys', () => {
  it.each(['', 'a'.repeat(513), '/abs', 'a\\b', 'a/../b', '..', 'a//b', 'a/./b', '%2e%2e/x', '%252e%252e/x', 'x%2f..%2fy', 'tab\there', 'bad%e0%a4'])('refuses %j', (key) => {
    expect(checkKey(key).ok).toBe(false);
  });
  it.each(['a.txt', 'photos/2024/me.png', 'naïve/ü.txt', 'a'.repeat(512)])('accepts %j', (key) => {
    expect(checkKey(key).ok).toBe(true);
  });
});

describe('presigned PUT (aws4fetch, SigV4 in the query)', () => {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

  it('matches the computed R2 vector (host only)', async () => {
    const { url } = await presignPut({ ...credentials, endpoint: 'https://ACCOUNTID.r2.cloudflarestorage.com', bucket: 'my-bucket', key: 'uploads/a b.png', expiresSeconds: 300, datetime: '20240101T000000Z' });
    const signed = new URL(url);
    expect(signed.pathname).toBe('/my-bucket/uploads/a%20b.png');
    expect(signed.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(signed.searchParams.get('X-Amz-Signature')).toBe('6099a9ec22bf65e38551e10f0bff1dc388900103d63f639b592dd102121651c2');
  });

  it('signs the content type when one is given (computed R2 vector)', async () => {
    const { url, headers } = await presignPut({ ...credentials, endpoint: 'https://accountid.r2.cloudflarestorage.com', bucket: 'my-bucket', key: 'k.png', contentType: 'image/png', expiresSeconds: 300, datetime: '20240101T000000Z' });
    expect(headers).toEqual({ 'content-type': 'image/png' });
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe('9015cba91113e7b0d4759ad734b177fe423e281bbe9a057b8807eca65194659c');
  });

  it('reproduces the published AWS presigned GET example with the same library settings', async () => {
    const client = new AwsClient({ ...credentials, service: 's3', region: 'us-east-1' });
    const signed = await client.sign('https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Expires=86400', { method: 'GET', aws: { signQuery: true, datetime: '20130524T000000Z' } });
    expect(new URL(signed.url).searchParams.get('X-Amz-Signature')).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });

  it('answers 500 misconfigured without credentials, and 400 for an expiry over an hour', async () => {
    const authorization = `Bearer ${await mintSession({ sub: newUserId() })}`;
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`${base}/v1/r2/signed-put?key=a.png`, { headers: { authorization } }), { ...env, R2_ACCESS_KEY_ID: '' }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
    expect((await (await as(newUserId())).signedPut('?key=a.png&expires=7200')).status).toBe(400);
  });
});

describe('presigned PUT end to end (S3 stand-in checking with @smithy/signature-v4)', () => {
  const s3 = inject('s3');
  const stored = async (key: string) => {
    const response = await fetch(`${s3.endpoint}/_stored?key=${encodeURIComponent(key)}`);
    return response.status === 200 ? response.text() : null;
  };
  async function signed(userId: string, query: string) {
    const response = await (await as(userId)).signedPut(query);
    expect(response.status).toBe(200);
    return (await response.json()) as { url: string; key: string; method: string; headers: Record<string, string>; expires_at: number };
  }

  it('uploads under the caller prefix with the signed content type', async () => {
    const userId = newUserId();
    const grant = await signed(userId, '?key=photos/me.png&contentType=image/png&expires=120');
    expect(grant).toMatchObject({ key: 'photos/me.png', method: 'PUT', headers: { 'content-type': 'image/png' } });
    expect(grant.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(100);
    const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: 'png bytes' });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await stored(`${userId}/photos/me.png`)).toBe('png bytes');
  });

  it('refuses a tampered key, a wrong content type, a wrong secret and an expired URL', async () => {
    const userId = newUserId();
    const grant = await signed(userId, '?key=doc.pdf&contentType=application/pdf');
    const tampered = new URL(grant.url);
    tampered.pathname = tampered.pathname.replace(userId, `${userId}x`);
    expect((await fetch(tampered, { method: 'PUT', headers: grant.headers, body: 'x' })).status).toBe(403);
    expect((await fetch(grant.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' })).status).toBe(403);

    const wrongSecret = await presignPut({ accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret', endpoint: s3.endpoint, bucket: s3.bucket, key: `${userId}/doc.pdf`, expiresSeconds: 60 });
    expect((await fetch(wrongSecret.url, { method: 'PUT', body: 'x' })).status).toBe(403);
    const past = new Date(Date.now() - 120_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const expired = await presignPut({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, endpoint: s3.endpoint, bucket: s3.bucket, key: `${userId}/doc.pdf`, expiresSeconds: 60, datetime: past });
    expect((await fetch(expired.url, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect(await stored(`${userId}/doc.pdf`)).toBeNull();
  });
});
