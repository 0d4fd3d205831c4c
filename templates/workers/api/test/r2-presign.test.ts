import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, inject, it } from 'vitest';
import app from '../src/index.js';
import { presignPut } from '../src/r2/presign.js';
import { computedVectors, publishedVectors } from './fixtures/s3-presign-vectors.js';
import { base, mintSession, newUserId } from './helpers.js';
import { r2Client } from './storage-helpers.js';

const [queryVector, headerVector] = publishedVectors;
const [hostOnlyVector, contentTypeVector] = computedVectors;

/** The query parameters of a URL, sorted: aws4fetch keeps insertion order, the vectors list them sorted. */
function sortedQuery(url: string): [string, string][] {
  return [...new URL(url).searchParams].sort(([a], [b]) => a.localeCompare(b));
}

describe('SigV4 vectors (../shared/vectors/aws-s3-presign-vectors.json)', () => {
  it('AWS documentation: presigned GET, canonical request, string to sign and signature', async () => {
    const { inputs, expected } = queryVector;
    const signer = new AwsV4Signer({
      method: inputs.method,
      url: `${inputs.url}?X-Amz-Expires=${inputs['X-Amz-Expires']}`,
      accessKeyId: inputs.accessKeyId,
      secretAccessKey: inputs.secretAccessKey,
      region: inputs.region,
      service: inputs.service,
      datetime: inputs.datetime,
      signQuery: true,
    });
    expect(await signer.canonicalString()).toBe(expected.canonical_request);
    expect(await signer.stringToSign()).toBe(expected.string_to_sign);
    const signed = await signer.sign();
    expect(sortedQuery(signed.url.toString())).toEqual(sortedQuery(expected.url));
  });

  it('AWS documentation: header-signed GET with Range (signed only with allHeaders, as the vector notes)', async () => {
    const { inputs, expected } = headerVector;
    const common = {
      method: inputs.method,
      url: inputs.url,
      headers: inputs.headers,
      accessKeyId: inputs.accessKeyId,
      secretAccessKey: inputs.secretAccessKey,
      region: inputs.region,
      service: inputs.service,
      datetime: inputs.headers['x-amz-date'],
    };
    const all = await new AwsV4Signer({ ...common, allHeaders: true }).sign();
    expect(all.headers.get('authorization')).toBe(expected.authorization);
    const defaults = await new AwsV4Signer(common).sign();
    expect(defaults.headers.get('authorization')).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=df548e2ce037944d03f3e68682813b093763996d597cf890ca3d9037fd231eb4',
    );
  });

  it('computed R2 presigned PUT, host only: presignPut gives the same URL', async () => {
    const { inputs, expected } = hostOnlyVector;
    const url = new URL(inputs.url);
    const { url: signed, headers } = await presignPut({
      accessKeyId: inputs.accessKeyId,
      secretAccessKey: inputs.secretAccessKey,
      endpoint: url.origin,
      bucket: 'my-bucket',
      key: 'uploads/a b.png',
      expiresSeconds: 300,
      datetime: inputs.datetime,
    });
    expect(headers).toEqual({});
    expect(signed).toBe(expected.aws4fetch_url);
    const signer = new AwsV4Signer({
      method: 'PUT',
      url: inputs.url,
      accessKeyId: inputs.accessKeyId,
      secretAccessKey: inputs.secretAccessKey,
      service: 's3',
      region: 'auto',
      datetime: inputs.datetime,
      signQuery: true,
    });
    expect(await signer.canonicalString()).toBe(expected.canonical_request);
  });

  it('computed R2 presigned PUT with a signed content type', async () => {
    const { inputs, expected } = contentTypeVector;
    const { url, headers } = await presignPut({
      accessKeyId: inputs.accessKeyId,
      secretAccessKey: inputs.secretAccessKey,
      endpoint: 'https://accountid.r2.cloudflarestorage.com',
      bucket: 'my-bucket',
      key: 'k.png',
      contentType: inputs.headers['Content-Type'],
      expiresSeconds: 300,
      datetime: inputs.datetime,
    });
    expect(headers).toEqual({ 'content-type': 'image/png' });
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe(expected.signed_headers);
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe(expected.signature);
  });
});

describe('GET /v1/r2/signed-put', () => {
  it('signs for https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com/<R2_BUCKET>/<prefix><key> when no endpoint is set', async () => {
    const userId = newUserId();
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${base}/v1/r2/signed-put?key=a.png&contentType=image/png&size=3`, {
        headers: { authorization: `Bearer ${await mintSession({ sub: userId })}` },
      }),
      { ...env, R2_S3_ENDPOINT: '', R2_ACCOUNT_ID: 'acct123' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const {
      url,
      method,
      headers,
      expires_at: expiresAt,
    } = (await response.json()) as { url: string; method: string; headers: Record<string, string>; expires_at: number };
    const signed = new URL(url);
    expect(signed.origin).toBe('https://acct123.r2.cloudflarestorage.com');
    expect(signed.pathname).toBe(`/${env.R2_BUCKET}/u/${userId}/a.png`);
    expect(signed.searchParams.get('X-Amz-Credential')).toMatch(/\/auto\/s3\/aws4_request$/);
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(method).toBe('PUT');
    expect(headers).toEqual({ 'content-length': '3', 'content-type': 'image/png' });
    expect(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 600))).toBeLessThanOrEqual(2);
  });

  it('answers 500 misconfigured without credentials, 400 for a bad expiry or content type', async () => {
    const authorization = `Bearer ${await mintSession({ sub: newUserId() })}`;
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${base}/v1/r2/signed-put?key=a.png&size=1`, { headers: { authorization } }),
      { ...env, R2_ACCESS_KEY_ID: '' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured', message: 'Server misconfigured' } });
    const client = await r2Client(newUserId());
    for (const query of [
      '?key=a.png&size=1&expires=3601',
      '?key=a.png&size=1&expires=0',
      '?key=a.png&size=1&expires=1e3',
      '?key=a.png&size=1&contentType=text/html%0d%0ax:1',
    ]) {
      expect((await client.signedPut(query)).status, query).toBe(400);
    }
  });
});

describe('presigned PUT end to end (S3 stand-in checking with @smithy/signature-v4)', () => {
  const s3 = inject('s3');
  const stored = async (key: string) => {
    const response = await fetch(`${s3.endpoint}/_stored?key=${encodeURIComponent(key)}`);
    return response.status === 200 ? { body: await response.text(), contentType: response.headers.get('content-type') } : null;
  };
  async function grant(userId: string, query: string) {
    const response = await (await r2Client(userId)).signedPut(query);
    expect(response.status).toBe(200);
    return (await response.json()) as { url: string; key: string; method: string; headers: Record<string, string>; expires_at: number };
  }

  it('uploads under the caller prefix with the signed content type', async () => {
    const userId = newUserId();
    const signed = await grant(userId, '?key=photos/me.png&contentType=image/png&size=9&expires=120');
    expect(signed).toMatchObject({ key: 'photos/me.png', method: 'PUT', headers: { 'content-length': '9', 'content-type': 'image/png' } });
    const put = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: 'png bytes' });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await stored(`u/${userId}/photos/me.png`)).toEqual({ body: 'png bytes', contentType: 'image/png' });
  });

  it('signs keys with spaces, RFC 3986 reserved characters and non-ASCII the way S3 reads them', async () => {
    const userId = newUserId();
    const key = "a b/(draft)!*'~ naïve+1.txt";
    const signed = await grant(userId, `?key=${encodeURIComponent(key)}&size=3`);
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'odd' })).status).toBe(200);
    expect((await stored(`u/${userId}/${key}`))?.body).toBe('odd');
  });

  it('always signs the size and the content type: exactly that many bytes of that type go through; a size over MAX_UPLOAD_BYTES is 413', async () => {
    const userId = newUserId();
    const signed = await grant(userId, '?key=sized.bin&size=9');
    expect(signed.headers).toEqual({ 'content-length': '9', 'content-type': 'application/octet-stream' });
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // fetch sets Content-Length from the body (it is not a header a page may set itself).
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'ten bytes!' })).status).toBe(403);
    expect((await fetch(signed.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'nine byte' })).status).toBe(403);
    expect(await stored(`u/${userId}/sized.bin`)).toBeNull();
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'nine byte' })).status).toBe(200);
    expect((await stored(`u/${userId}/sized.bin`))?.body).toBe('nine byte');
    const client = await r2Client(newUserId());
    expect((await client.signedPut(`?key=a.bin&size=${Number(env.MAX_UPLOAD_BYTES) + 1}`)).status).toBe(413);
    expect((await client.signedPut('?key=a.bin&size=-1')).status).toBe(400);
    // Red-team finding: without a signed length, a grant took any size (5 GB as text/html passed the checker).
    const unsized = await client.signedPut('?key=a.bin&contentType=text/html');
    expect(unsized.status).toBe(400);
    expect(await unsized.json()).toMatchObject({
      error: { code: 'bad_request', message: 'size is required: the exact length of the upload in bytes' },
    });
  });

  it('a generated key works too', async () => {
    const userId = newUserId();
    const signed = await grant(userId, '?contentType=application/pdf&size=4');
    expect(signed.key).toMatch(/^\d{4}\/\d{2}\/\d+-[0-9a-f]{12}\.pdf$/);
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: '%PDF' })).status).toBe(200);
    expect((await stored(`u/${userId}/${signed.key}`))?.body).toBe('%PDF');
  });

  it('refuses a tampered key, a wrong content type, a wrong secret and an expired URL, and stores nothing', async () => {
    const userId = newUserId();
    const signed = await grant(userId, '?key=doc.pdf&contentType=application/pdf&size=1');
    const put = (url: string | URL, headers: Record<string, string>) => fetch(url, { method: 'PUT', headers, body: 'x' });

    const tampered = new URL(signed.url);
    tampered.pathname = tampered.pathname.replace('doc.pdf', 'other.pdf');
    const otherUser = new URL(signed.url);
    otherUser.pathname = otherUser.pathname.replace(userId, newUserId());
    expect((await put(tampered, signed.headers)).status).toBe(403);
    expect((await put(otherUser, signed.headers)).status).toBe(403);
    expect((await put(signed.url, { 'content-type': 'text/html' })).status).toBe(403);
    expect((await put(signed.url, {})).status).toBe(403);
    const longer = new URL(signed.url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect((await put(longer, signed.headers)).status).toBe(403);

    const wrongSecret = await presignPut({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: `${s3.secretAccessKey}x`,
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      key: `u/${userId}/doc.pdf`,
      expiresSeconds: 60,
    });
    expect((await put(wrongSecret.url, {})).status).toBe(403);
    const past = new Date(Date.now() - 120_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const expired = await presignPut({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      key: `u/${userId}/doc.pdf`,
      expiresSeconds: 60,
      datetime: past,
    });
    expect((await put(expired.url, {})).status).toBe(403);
    expect(await stored(`u/${userId}/doc.pdf`)).toBeNull();
    expect(await stored(`u/${userId}/other.pdf`)).toBeNull();

    // The untouched grant still works: the refusals above were about the changes, not the URL.
    expect((await put(signed.url, signed.headers)).status).toBe(200);
  });
});
