import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { base, mintSession } from './helpers.js';

/**
 * Calls the app inside this test's isolate with some vars changed (a lower MAX_UPLOAD_BYTES, FEATURES, the
 * Cloudflare API stand-in), then waits for its `waitUntil` work. Requests built here keep their stream bodies as
 * they are: no Content-Length unless the test sets one, as with a chunked upload.
 */
export async function callWith(overrides: Partial<Env>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A project without an init feature has no JOBS binding; any KV namespace serves the tests that need one. */
export const jobsNamespace: KVNamespace = (env as Env).JOBS ?? env.PROJECTS;

/** `n` bytes made chunk by chunk (never held whole); each chunk is marked with its index so order matters. */
export function patternStream(totalBytes: number, chunkBytes = 1024 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const index = sent / chunkBytes;
      const size = Math.min(chunkBytes, totalBytes - sent);
      const chunk = new Uint8Array(size).fill(index % 251);
      chunk[0] = index & 0xff;
      if (size > 1) chunk[1] = (index >> 8) & 0xff;
      sent += size;
      controller.enqueue(chunk);
    },
  });
}

export async function sha256Hex(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream('SHA-256');
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** One caller of the R2 routes through the real Worker entry (`SELF`). */
export async function r2Client(userId: string, tenant?: string) {
  const token = await mintSession({ sub: userId, ...(tenant ? { tenant } : {}) });
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  const q = (key: string) => `key=${encodeURIComponent(key)}`;
  return {
    token,
    upload: (key: string | undefined, body: string, contentType = 'text/plain') =>
      SELF.fetch(`${base}/v1/r2/upload?${key === undefined ? '' : `${q(key)}&`}contentType=${encodeURIComponent(contentType)}`, {
        method: 'POST',
        headers: headers(),
        body,
      }),
    get: (key: string, extra: Record<string, string> = {}, method = 'GET') =>
      SELF.fetch(`${base}/v1/r2/object?${q(key)}`, { method, headers: headers(extra) }),
    head: (key: string, extra: Record<string, string> = {}) =>
      SELF.fetch(`${base}/v1/r2/object?${q(key)}`, { method: 'HEAD', headers: headers(extra) }),
    remove: (key: string) => SELF.fetch(`${base}/v1/r2/object?${q(key)}`, { method: 'DELETE', headers: headers() }),
    list: (query = '') => SELF.fetch(`${base}/v1/r2/list${query}`, { headers: headers() }),
    signedPut: (query: string) => SELF.fetch(`${base}/v1/r2/signed-put${query}`, { headers: headers() }),
  };
}

export interface ListedPage {
  objects: { key: string; size: number; etag: string; uploaded: string; contentType?: string }[];
  truncated: boolean;
  cursor?: string;
}
