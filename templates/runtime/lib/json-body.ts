import type { Context } from 'hono';
import { ApiError } from './errors.js';

/**
 * Reads a JSON object body: 415 unless `Content-Type: application/json`, 413 over `maxBytes` (checked on the
 * bytes actually read, not only on `Content-Length`), 400 `invalid_json` if it does not parse to an object.
 *
 * @example
 * const body = await readJsonObject(c, 16 * 1024);
 */
export async function readJsonObject(c: Context, maxBytes: number): Promise<Record<string, unknown>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send Content-Type: application/json');
  }
  const declared = Number(c.req.header('Content-Length') ?? '0');
  if (declared > maxBytes) throw new ApiError(413, 'too_large', `Body over ${maxBytes} bytes`);
  const bytes = await readAtMost(c.req.raw.body, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, 'invalid_json', 'Body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'bad_request', 'Body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Reads a stream, stopping with 413 as soon as it passes `maxBytes` (a chunked body has no length). */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  const bytes = await readBoundedBody(body, maxBytes);
  if (bytes === null) throw new ApiError(413, 'too_large', `Body over ${maxBytes} bytes`);
  return bytes;
}

/**
 * A stream's bytes, or `null` as soon as it passes `maxBytes` (the rest is not read): for callers that turn "too
 * large" into a tagged result rather than an error.
 *
 * @example
 * const bytes = await readBoundedBody(request.body, 8 * 1024);
 * if (bytes === null) return { ok: false, reason: 'body_too_large' };
 */
export async function readBoundedBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
