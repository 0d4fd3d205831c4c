import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { multipartPartBytes } from '../src/r2/upload.js';
import { base, newUserId } from './helpers.js';
import { callWith, patternStream, r2Client, sha256Hex, type ListedPage } from './storage-helpers.js';

describe('POST /v1/r2/upload', () => {
  it('stores under the caller prefix with content type and owner, and answers {key, size, etag, uploaded}', async () => {
    const userId = newUserId();
    const stored = await (await r2Client(userId)).upload('notes/hello.txt', 'hello world');
    expect(stored.status).toBe(200);
    const body = (await stored.json()) as { key: string; size: number; etag: string; uploaded: string };
    const object = await env.R2.head(`u/${userId}/notes/hello.txt`);
    expect(body).toEqual({ key: 'notes/hello.txt', size: 11, etag: object!.httpEtag, uploaded: object!.uploaded.toISOString() });
    expect(object?.customMetadata).toEqual({ userId });
    expect(object?.httpMetadata?.contentType).toBe('text/plain');
  });

  it('generates a key from the content type when none is given, and the key works on the other routes', async () => {
    const alice = await r2Client(newUserId());
    const { key } = (await (await alice.upload(undefined, '{"a":1}', 'application/json')).json()) as { key: string };
    expect(key).toMatch(/^\d{4}\/\d{2}\/\d+-[0-9a-f]{12}\.json$/);
    expect(await (await alice.get(key)).text()).toBe('{"a":1}');
  });

  it('refuses a content type that could smuggle headers', async () => {
    const response = await (await r2Client(newUserId())).upload('a.txt', 'x', 'text/html\r\nset-cookie: a=b');
    expect(response.status).toBe(400);
  });

  it('answers 413 from Content-Length before reading, and stores nothing', async () => {
    const userId = newUserId();
    const { token } = await r2Client(userId);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
        if (pulled === 32) controller.close();
      },
    });
    const response = await callWith(
      { MAX_UPLOAD_BYTES: '1000' },
      new Request(`${base}/v1/r2/upload?key=big.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-length': String(32 * 1024) },
        body,
      }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'too_large' } });
    // A ReadableStream pulls once to fill its queue when created; the Worker itself read nothing.
    expect(pulled).toBeLessThanOrEqual(1);
    expect(await env.R2.head(`u/${userId}/big.bin`)).toBeNull();
  });

  it('accepts a chunked body (no Content-Length) under the cap', async () => {
    const userId = newUserId();
    const { token } = await r2Client(userId);
    const response = await callWith(
      { MAX_UPLOAD_BYTES: '100000' },
      new Request(`${base}/v1/r2/upload?key=chunked.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: patternStream(70_000, 7000),
      }),
    );
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ key: 'chunked.bin', size: 70_000 });
    expect(await sha256Hex((await env.R2.get(`u/${userId}/chunked.bin`))!.body)).toBe(await sha256Hex(patternStream(70_000, 7000)));
  });

  it('stops a chunked body that grows past the cap and stores nothing, also once multipart parts were sent', async () => {
    const userId = newUserId();
    const { token } = await r2Client(userId);
    for (const [key, cap, size] of [
      ['small-cap.bin', 50_000, 70_000],
      // Two full parts are uploaded before the cap is passed: the multipart upload must be aborted.
      ['past-parts.bin', 2 * multipartPartBytes + 1000, 2 * multipartPartBytes + 4 * 1024 * 1024],
    ] as const) {
      const response = await callWith(
        { MAX_UPLOAD_BYTES: String(cap) },
        new Request(`${base}/v1/r2/upload?key=${key}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: patternStream(size),
        }),
      );
      expect(response.status, key).toBe(413);
      expect(await env.R2.head(`u/${userId}/${key}`), key).toBeNull();
    }
  });

  it('refuses a body that does not match its Content-Length, and stores nothing', async () => {
    const userId = newUserId();
    const { token } = await r2Client(userId);
    for (const [key, declared, actual] of [
      ['short.bin', 2000, 1000],
      ['long.bin', 1000, 2000],
    ] as const) {
      const response = await callWith(
        {},
        new Request(`${base}/v1/r2/upload?key=${key}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-length': String(declared) },
          body: patternStream(actual, 500),
        }),
      );
      expect(response.status, key).toBe(400);
      expect(await env.R2.head(`u/${userId}/${key}`), key).toBeNull();
    }
    // A body whose length the runtime knows (a string) under a Content-Length that says otherwise.
    const lying = await callWith(
      { MAX_UPLOAD_BYTES: '10' },
      new Request(`${base}/v1/r2/upload?key=lying.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-length': '8' },
        body: 'twenty bytes of data',
      }),
    );
    expect(lying.status).toBe(400);
    expect(await env.R2.head(`u/${userId}/lying.bin`)).toBeNull();
  });
});

describe('GET / HEAD / DELETE /v1/r2/object', () => {
  it('serves the bytes with content type, etag, length and private caching', async () => {
    const alice = await r2Client(newUserId());
    await alice.upload('a.txt', '0123456789');
    const full = await alice.get('a.txt');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('text/plain');
    expect(full.headers.get('etag')).toMatch(/^".+"$/);
    expect(full.headers.get('content-length')).toBe('10');
    expect(full.headers.get('cache-control')).toBe('private, no-cache');
    expect(full.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await full.text()).toBe('0123456789');
  });

  it('honours Range with 206 and Content-Range, and 416 past the end', async () => {
    const alice = await r2Client(newUserId());
    await alice.upload('r.txt', '0123456789');
    for (const [range, contentRange, text] of [
      ['bytes=2-5', 'bytes 2-5/10', '2345'],
      ['bytes=-3', 'bytes 7-9/10', '789'],
      ['bytes=8-', 'bytes 8-9/10', '89'],
    ]) {
      const partial = await alice.get('r.txt', { range: range! });
      expect(partial.status, range).toBe(206);
      expect(partial.headers.get('content-range')).toBe(contentRange);
      expect(partial.headers.get('content-length')).toBe(String(text!.length));
      expect(await partial.text()).toBe(text);
    }
    const past = await alice.get('r.txt', { range: 'bytes=10-20' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */10');
    const several = await alice.get('r.txt', { range: 'bytes=0-1,4-5' });
    expect(several.status).toBe(200);
    expect(await several.text()).toBe('0123456789');
  });

  it('answers 304 for a current If-None-Match (GET, HEAD and with a Range), 200 for a stale one', async () => {
    const alice = await r2Client(newUserId());
    await alice.upload('c.txt', 'cached');
    const etag = (await alice.head('c.txt')).headers.get('etag')!;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await alice.get('c.txt', { 'if-none-match': value });
      expect(response.status, value).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(await response.text()).toBe('');
    }
    expect((await alice.head('c.txt', { 'if-none-match': etag })).status).toBe(304);
    expect((await alice.get('c.txt', { 'if-none-match': etag, range: 'bytes=0-1' })).status).toBe(304);
    expect((await alice.get('c.txt', { 'if-none-match': '"stale"' })).status).toBe(200);
    await alice.upload('c.txt', 'changed');
    expect((await alice.get('c.txt', { 'if-none-match': etag })).status).toBe(200);
  });

  // Red-team finding: `If-None-Match: W/abc` went to R2's `onlyIf` as sent, and R2's refusal was a 500.
  it('ignores malformed conditional headers (200, never 500), on GET, HEAD and with a Range', async () => {
    const alice = await r2Client(newUserId());
    await alice.upload('m.txt', 'malformed');
    const malformed = ['W/abc', 'abc', '"unterminated', 'W/', ',,,', '"a" "b"', 'W/"a', '""x'];
    for (const value of malformed) {
      const response = await alice.get('m.txt', { 'if-none-match': value });
      expect(response.status, value).toBe(200);
      expect(await response.text()).toBe('malformed');
      expect((await alice.head('m.txt', { 'if-none-match': value })).status, value).toBe(200);
      expect((await alice.get('m.txt', { 'if-none-match': value, range: 'bytes=0-1' })).status, value).toBe(206);
    }
    for (const value of ['yesterday', 'Mon, 99 Foo 2026 99:99:99 GMT', '0']) {
      expect((await alice.get('m.txt', { 'if-modified-since': value })).status, value).toBe(200);
    }
    expect((await alice.get('missing.txt', { 'if-none-match': 'W/abc' })).status).toBe(404);
  });

  it('HEAD answers the metadata without a body', async () => {
    const alice = await r2Client(newUserId());
    await alice.upload('h.txt', '0123456789');
    const head = await alice.head('h.txt');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('content-type')).toBe('text/plain');
    expect(await head.text()).toBe('');
    expect((await alice.head('missing.txt')).status).toBe(404);
  });

  it('deletes, then answers 404', async () => {
    const userId = newUserId();
    const alice = await r2Client(userId);
    await alice.upload('gone.txt', 'bye');
    expect(await (await alice.remove('gone.txt')).json()).toEqual({ deleted: true, key: 'gone.txt' });
    expect(await env.R2.head(`u/${userId}/gone.txt`)).toBeNull();
    expect((await alice.get('gone.txt')).status).toBe(404);
    expect((await alice.remove('gone.txt')).status).toBe(404);
  });
});

describe('GET /v1/r2/list', () => {
  it('pages with limit and cursor, keys relative to the caller prefix, filtered by prefix', async () => {
    const alice = await r2Client(newUserId());
    for (const key of ['docs/a.txt', 'docs/b.txt', 'docs/c.txt', 'photos/p.txt']) await alice.upload(key, key);
    const first = (await (await alice.list('?prefix=docs/&limit=2')).json()) as ListedPage;
    expect(first.objects.map((o) => o.key)).toEqual(['docs/a.txt', 'docs/b.txt']);
    expect(first.objects[0]).toMatchObject({ size: 10, contentType: 'text/plain', etag: expect.stringMatching(/^".+"$/) });
    expect(first.truncated).toBe(true);
    const second = (await (await alice.list(`?prefix=docs/&limit=2&cursor=${encodeURIComponent(first.cursor!)}`)).json()) as ListedPage;
    expect(second.objects.map((o) => o.key)).toEqual(['docs/c.txt']);
    expect(second.truncated).toBe(false);
    expect(second.cursor).toBeUndefined();
    const all = (await (await alice.list()).json()) as ListedPage;
    expect(all.objects.map((o) => o.key)).toEqual(['docs/a.txt', 'docs/b.txt', 'docs/c.txt', 'photos/p.txt']);
  });

  it.each(['?limit=0', '?limit=1001', '?limit=abc', '?prefix=../', '?prefix=%2Fx'])('refuses %s', async (query) => {
    expect((await (await r2Client(newUserId())).list(query)).status).toBe(400);
  });
});
