import type { Context, Hono } from 'hono';
import type { ApiEnv } from '../env.js';
import { route } from '../lib/app.js';
import { ApiError } from '../lib/errors.js';
import { ownerMetadata, ownPrefix } from '../owner.js';
import { readObject } from './download.js';
import { checkKey, checkListPrefix, generateKey, isContentType } from './keys.js';
import { presignPut } from './presign.js';
import { storeUpload } from './upload.js';

const defaultMaxUploadBytes = 100 * 1024 * 1024;

function requireKey(c: Context<ApiEnv>, key: string | undefined): string {
  const checked = checkKey(key);
  if (!checked.ok) {
    c.set('errorDetail', `r2 key: ${checked.reason}`);
    throw new ApiError(400, 'bad_key', 'Invalid object key');
  }
  return checked.key;
}

/** The `key` query parameter checked, or a generated key when it is absent. */
function keyOrGenerated(c: Context<ApiEnv>, contentType: string | undefined): string {
  const key = c.req.query('key');
  return key === undefined ? generateKey(contentType) : requireKey(c, key);
}

function maxUploadBytes(c: Context<ApiEnv>): number {
  const value = Number(c.env.MAX_UPLOAD_BYTES || defaultMaxUploadBytes);
  return Number.isSafeInteger(value) && value > 0 ? value : defaultMaxUploadBytes;
}

function tooLarge(cap: number): ApiError {
  return new ApiError(413, 'too_large', `Body over ${cap} bytes`);
}

/** `POST /v1/r2/upload?key=&contentType=`: streams the body into R2 under the caller's prefix, up to MAX_UPLOAD_BYTES. */
async function upload(c: Context<ApiEnv>): Promise<Response> {
  const prefix = ownPrefix(c);
  const contentType = c.req.query('contentType') ?? c.req.header('Content-Type') ?? 'application/octet-stream';
  if (!isContentType(contentType)) throw new ApiError(400, 'bad_request', 'Invalid contentType');
  const key = keyOrGenerated(c, contentType);
  const cap = maxUploadBytes(c);
  const declared = c.req.header('Content-Length');
  if (declared !== undefined && !/^\d{1,16}$/.test(declared)) throw new ApiError(400, 'bad_request', 'Invalid Content-Length');
  // Refused before a byte is read when the declared length is already over the cap.
  if (declared !== undefined && Number(declared) > cap) throw tooLarge(cap);
  const result = await storeUpload(c.req.raw.body, declared === undefined ? undefined : Number(declared), {
    bucket: c.env.R2,
    key: `${prefix}${key}`,
    options: { httpMetadata: { contentType }, customMetadata: ownerMetadata(c.get('auth')) },
    maxBytes: cap,
  });
  if (!result.ok) {
    c.set('errorDetail', `r2 upload: ${result.reason}`);
    if (result.reason === 'too_large') throw tooLarge(cap);
    throw new ApiError(400, 'bad_request', 'The body did not match its Content-Length');
  }
  const { object } = result;
  return c.json({ key, size: object.size, etag: object.httpEtag, uploaded: object.uploaded.toISOString() });
}

/** `GET`/`HEAD /v1/r2/object?key=`: the object's bytes, with Range (206) and If-None-Match (304). */
async function download(c: Context<ApiEnv>): Promise<Response> {
  const prefix = ownPrefix(c);
  return readObject(c.env.R2, `${prefix}${requireKey(c, c.req.query('key'))}`, c.req.raw);
}

/** `DELETE /v1/r2/object?key=`: 404 when the caller has no such object (R2's delete alone cannot tell). */
async function remove(c: Context<ApiEnv>): Promise<Response> {
  const prefix = ownPrefix(c);
  const key = requireKey(c, c.req.query('key'));
  if ((await c.env.R2.head(`${prefix}${key}`)) === null) throw new ApiError(404, 'not_found', 'No such object');
  await c.env.R2.delete(`${prefix}${key}`);
  return c.json({ deleted: true, key });
}

/** `GET /v1/r2/list?prefix=&cursor=&limit=`: the caller's objects only, keys relative to their prefix. */
async function list(c: Context<ApiEnv>): Promise<Response> {
  const own = ownPrefix(c);
  const sub = checkListPrefix(c.req.query('prefix'));
  if (!sub.ok) {
    c.set('errorDetail', `r2 list prefix: ${sub.reason}`);
    throw new ApiError(400, 'bad_key', 'Invalid prefix');
  }
  const limitText = c.req.query('limit') ?? '100';
  const limit = Number(limitText);
  if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > 1000) throw new ApiError(400, 'bad_request', 'limit must be 1 to 1000');
  const cursor = c.req.query('cursor');
  // R2 applies the prefix whatever the cursor says, so a cursor from someone else's listing shows nothing of theirs.
  // `include` is honoured from compatibility date 2022-08-04 on; the default workers-types predate it.
  const options: R2ListOptions & { include?: 'httpMetadata'[] } = { prefix: `${own}${sub.key}`, limit, include: ['httpMetadata'] };
  const page = await c.env.R2.list({ ...options, ...(cursor ? { cursor } : {}) });
  return c.json({
    objects: page.objects.map((object) => ({
      key: object.key.slice(own.length),
      size: object.size,
      etag: object.httpEtag,
      uploaded: object.uploaded.toISOString(),
      ...(object.httpMetadata?.contentType ? { contentType: object.httpMetadata.contentType } : {}),
    })),
    truncated: page.truncated,
    ...(page.truncated ? { cursor: page.cursor } : {}),
  });
}

/**
 * `GET /v1/r2/signed-put?size=&key=&contentType=&expires=`: a presigned S3 PUT URL for a direct upload. A presigned
 * PUT has no size limit of its own and S3 checks only what is signed, so the length and the content type are always
 * signed: `size` is required (at most MAX_UPLOAD_BYTES, else 413) and the upload must be exactly that many bytes, of
 * exactly `contentType` (default `application/octet-stream`).
 */
async function signedPut(c: Context<ApiEnv>): Promise<Response> {
  const prefix = ownPrefix(c);
  const contentType = c.req.query('contentType') ?? 'application/octet-stream';
  if (!isContentType(contentType)) throw new ApiError(400, 'bad_request', 'Invalid contentType');
  const key = keyOrGenerated(c, contentType);
  const expiresText = c.req.query('expires') ?? '600';
  const expires = Number(expiresText);
  if (!/^\d{1,5}$/.test(expiresText) || expires < 1 || expires > 3600)
    throw new ApiError(400, 'bad_request', 'expires must be 1 to 3600 seconds');
  const sizeText = c.req.query('size');
  if (sizeText === undefined || !/^\d{1,16}$/.test(sizeText)) {
    throw new ApiError(400, 'bad_request', 'size is required: the exact length of the upload in bytes');
  }
  const size = Number(sizeText);
  if (size > maxUploadBytes(c)) throw tooLarge(maxUploadBytes(c));
  const { R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET, R2_ACCOUNT_ID, R2_S3_ENDPOINT } = c.env;
  const endpoint = R2_S3_ENDPOINT || (R2_ACCOUNT_ID ? `https://${R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : '');
  if (!R2_ACCESS_KEY_ID || !R2_SECRET_ACCESS_KEY || !R2_BUCKET || !endpoint) {
    c.set('errorDetail', 'signed-put needs R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET and R2_ACCOUNT_ID or R2_S3_ENDPOINT');
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  const signed = await presignPut({
    accessKeyId: R2_ACCESS_KEY_ID,
    secretAccessKey: R2_SECRET_ACCESS_KEY,
    endpoint,
    bucket: R2_BUCKET,
    key: `${prefix}${key}`,
    contentType,
    contentLength: size,
    expiresSeconds: expires,
  });
  return c.json({ url: signed.url, key, method: 'PUT', headers: signed.headers, expires_at: Math.floor(Date.now() / 1000) + expires });
}

/** The R2 group: every route behind the auth guard and the rate limiter. */
export function mountR2Routes(app: Hono<ApiEnv>): void {
  route(app, '/v1/r2/upload', { POST: upload });
  route(app, '/v1/r2/object', { GET: download, DELETE: remove });
  route(app, '/v1/r2/list', { GET: list });
  route(app, '/v1/r2/signed-put', { GET: signedPut });
}
