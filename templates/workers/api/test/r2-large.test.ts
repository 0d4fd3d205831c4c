import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { multipartPartBytes } from '../src/r2/upload.js';
import { base, mintSession, newUserId } from './helpers.js';
import { callWith, patternStream, sha256Hex } from './storage-helpers.js';

const mib = 1024 * 1024;

/** The default cap is 100 MB; these tests raise it, as a team would with MAX_UPLOAD_BYTES. */
const raisedCap = { MAX_UPLOAD_BYTES: String(256 * mib) };

async function roundTrip(label: string, totalBytes: number, body: () => ReadableStream<Uint8Array>, declared: boolean): Promise<void> {
  const userId = newUserId();
  const authorization = `Bearer ${await mintSession({ sub: userId })}`;
  // The bytes are made twice from the same recipe (hashed once, uploaded once), so 200 MB are never held at once.
  const expected = await sha256Hex(body());
  const response = await callWith(
    raisedCap,
    new Request(`${base}/v1/r2/upload?key=${label}&contentType=application/octet-stream`, {
      method: 'POST',
      headers: { authorization, ...(declared ? { 'content-length': String(totalBytes) } : {}) },
      body: body(),
    }),
  );
  expect(response.status, await response.clone().text()).toBe(200);
  expect(await response.json()).toMatchObject({ key: label, size: totalBytes });
  const download = await callWith(raisedCap, new Request(`${base}/v1/r2/object?key=${label}`, { headers: { authorization } }));
  expect(download.headers.get('content-length')).toBe(String(totalBytes));
  expect(await sha256Hex(download.body!)).toBe(expected);
  await env.R2.delete(`${userId}/${label}`);
}

describe('large proxy uploads, streamed from the test', () => {
  it('200 MB with Content-Length: streams in and reads back with the same SHA-256', async () => {
    await roundTrip('big.bin', 200 * mib, () => patternStream(200 * mib), true);
  }, 300_000);

  it('40 MB chunked (no length, odd chunk sizes): multipart parts in order, same SHA-256', async () => {
    const total = 5 * multipartPartBytes + 12345;
    await roundTrip('chunked-big.bin', total, () => patternStream(total, 3 * 65536 + 7), false);
  }, 120_000);
});
