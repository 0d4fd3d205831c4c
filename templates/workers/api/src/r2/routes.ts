import type { Context } from 'hono';
import type { ApiEnv } from '../env.js';
import { ApiError } from '../lib/errors.js';
import { ownerMetadata, ownPrefix } from '../owner.js';
import type { BuiltInHandler } from '../routes/mount.js';
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
function keyOrGenerated(c: Context<ApiEnv>, key: string | undefined, contentType: string | undefined): string {
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
export const uploadObject: BuiltInHandler<'uploadObject'> = async (c) => {
  const prefix = ownPrefix(c);
  const query = c.req.valid('query');
  const contentType = query.contentType ?? c.req.header('Content-Type') ?? 'application/octet-stream';
  if (!isContentType(contentType)) throw new ApiError(400, 'bad_request', 'Invalid contentType');
  const key = keyOrGenerated(c, query.key, contentType);
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
};

/** `GET`/`HEAD /v1/r2/object?key=`: the object's bytes, with Range (206) and If-None-Match (304). */
export const downloadObject: BuiltInHandler<'downloadObject'> = async (c) => {
  const prefix = ownPrefix(c);
  return readObject(c.env.R2, `${prefix}${requireKey(c, c.req.valid('query').key)}`, c.req.raw);
};

/** `DELETE /v1/r2/object?key=`: 404 when the caller has no such object (R2's delete alone cannot tell). */
export const deleteObject: BuiltInHandler<'deleteObject'> = async (c) => {
  const prefix = ownPrefix(c);
  const key = requireKey(c, c.req.valid('query').key);
  if ((await c.env.R2.head(`${prefix}${key}`)) === null) throw new ApiError(404, 'not_found', 'No such object');
  await c.env.R2.delete(`${prefix}${key}`);
  return c.json({ deleted: true, key });
};

/** `GET /v1/r2/list?prefix=&cursor=&limit=`: the caller's objects only, keys relative to their prefix. */
export const listObjects: BuiltInHandler<'listObjects'> = async (c) => {
  const own = ownPrefix(c);
  const query = c.req.valid('query');
  const sub = checkListPrefix(query.prefix);
  if (!sub.ok) {
    c.set('errorDetail', `r2 list prefix: ${sub.reason}`);
    throw new ApiError(400, 'bad_key', 'Invalid prefix');
  }
  // Checked against route-table.ts: a whole number from 1 to 1000.
  const limit = Number(query.limit ?? '100');
  const cursor = query.cursor;
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
};

/**
 * `GET /v1/r2/signed-put?size=&key=&contentType=&expires=`: a presigned S3 PUT URL for a direct upload. A presigned
 * PUT has no size limit of its own and S3 checks only what is signed, so the length and the content type are always
 * signed: `size` is required (at most MAX_UPLOAD_BYTES, else 413) and the upload must be exactly that many bytes, of
 * exactly `contentType` (default `application/octet-stream`).
 */
export const signedPut: BuiltInHandler<'signedPut'> = async (c) => {
  const prefix = ownPrefix(c);
  const query = c.req.valid('query');
  const contentType = query.contentType ?? 'application/octet-stream';
  if (!isContentType(contentType)) throw new ApiError(400, 'bad_request', 'Invalid contentType');
  const key = keyOrGenerated(c, query.key, contentType);
  // Both checked against route-table.ts: `expires` 1 to 3600 seconds, `size` the exact length in bytes (required).
  const expires = Number(query.expires ?? '600');
  const size = Number(query.size);
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
};
