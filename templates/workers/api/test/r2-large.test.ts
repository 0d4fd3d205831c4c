import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { base, mintSession, newUserId } from './helpers.js';

/** The default cap is 100 MB; this test raises it, as a team would with MAX_UPLOAD_BYTES. */
async function call(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, MAX_UPLOAD_BYTES: String(256 * 1024 * 1024) } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const chunkSize = 1024 * 1024;
const totalBytes = 200 * chunkSize;

/** 200 MB made chunk by chunk (never held whole), each chunk marked with its index so order matters. */
function body(): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index === totalBytes / chunkSize) return controller.close();
      const chunk = new Uint8Array(chunkSize).fill(index % 251);
      chunk[0] = index & 0xff;
      chunk[1] = index >> 8;
      index += 1;
      controller.enqueue(chunk);
    },
  });
}

async function sha256(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream('SHA-256');
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

describe('proxy upload of 200 MB', () => {
  it('streams in and reads back with the same SHA-256', async () => {
    const userId = newUserId();
    const expected = await sha256(body());
    // A FixedLengthStream gives the request body its length, as a client's Content-Length does.
    const fixed = new FixedLengthStream(totalBytes);
    void body().pipeTo(fixed.writable);
    const response = await call(
      new Request(`${base}/v1/r2/upload?key=big.bin&contentType=application/octet-stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await mintSession({ sub: userId })}`, 'content-length': String(totalBytes) },
        body: fixed.readable,
      }),
    );
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ key: 'big.bin', size: totalBytes });
    const download = await call(new Request(`${base}/v1/r2/object?key=big.bin`, { headers: { authorization: `Bearer ${await mintSession({ sub: userId })}` } }));
    expect(download.headers.get('content-length')).toBe(String(totalBytes));
    expect(await sha256(download.body!)).toBe(expected);
    await env.R2.delete(`${userId}/big.bin`);
  }, 300_000);
});
