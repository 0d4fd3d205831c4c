import type { Context, Hono } from 'hono';
import type { ApiEnv } from '../env.js';
import { route } from '../lib/app.js';
import { ApiError } from '../lib/errors.js';
import { callerPrefix, checkKey, generateKey } from './keys.js';
import { presignPut } from './presign.js';

const defaultMaxUploadBytes = 100 * 1024 * 1024;

function requireKey(c: Context<ApiEnv>, key: string | undefined): string {
  const checked = checkKey(key);
  if (!checked.ok) {
    c.set('errorDetail', `r2 key: ${checked.reason}`);
    throw new ApiError(400, 'bad_key', 'Invalid object key');
  }
  return checked.key;
}

function maxUploadBytes(c: Context<ApiEnv>): number {
  const value = Number(c.env.MAX_UPLOAD_BYTES ?? defaultMaxUploadBytes);
  return Number.isFinite(value) && value > 0 ? value : defaultMaxUploadBytes;
}

/** `POST /v1/r2/upload?key=&contentType=`: streams the body into R2 under the caller's prefix. */
async function upload(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const contentType = c.req.query('contentType') ?? c.req.header('Content-Type') ?? 'application/octet-stream';
  const key = c.req.query('key') === undefined ? generateKey(contentType) : requireKey(c, c.req.query('key'));
  const declared = c.req.header('Content-Length');
  const cap = maxUploadBytes(c);
  // R2 takes a stream only with a known length, and a declared length is what the runtime holds the body to:
  // the cap is enforced before a byte is stored, and the body streams through without being buffered here.
  if (declared === undefined || !/^\d+$/.test(declared)) {
    throw new ApiError(411, 'length_required', 'Send Content-Length (or use a presigned URL from /v1/r2/signed-put)');
  }
  if (Number(declared) > cap) throw new ApiError(413, 'too_large', `Body over ${cap} bytes`);
  const body = c.req.raw.body ?? new Uint8Array();
  const object = await c.env.R2.put(`${callerPrefix(auth)}${key}`, body, {
    httpMetadata: { contentType },
    customMetadata: { userId: auth.userId },
  });
  return c.json({ key, size: object.size, etag: object.httpEtag, uploaded: object.uploaded.toISOString() });
}

/** `GET`/`HEAD /v1/r2/object?key=`: the object's bytes, with Range (206) and If-None-Match (304). */
async function download(c: Context<ApiEnv>): Promise<Response> {
  const key = requireKey(c, c.req.query('key'));
  const fullKey = `${callerPrefix(c.get('auth'))}${key}`;
  const headers = c.req.raw.headers;
  const object = await c.env.R2.get(fullKey, { range: headers, onlyIf: headers });
  if (object === null) throw new ApiError(404, 'not_found', 'No such object');
  const responseHeaders = new Headers({ etag: object.httpEtag, 'accept-ranges': 'bytes' });
  object.writeHttpMetadata(responseHeaders);
  if (!('body' in object)) return new Response(null, { status: 304, headers: responseHeaders });
  const range = object.range as { offset?: number; length?: number } | undefined;
  if (headers.has('range') && range && range.offset !== undefined) {
    const length = range.length ?? object.size - range.offset;
    responseHeaders.set('content-range', `bytes ${range.offset}-${range.offset + length - 1}/${object.size}`);
    responseHeaders.set('content-length', String(length));
    return new Response(object.body, { status: 206, headers: responseHeaders });
  }
  responseHeaders.set('content-length', String(object.size));
  return new Response(object.body, { status: 200, headers: responseHeaders });
}

async function remove(c: Context<ApiEnv>): Promise<Response> {
  const key = requireKey(c, c.req.query('key'));
  const fullKey = `${callerPrefix(c.get('auth'))}${key}`;
  if ((await c.env.R2.head(fullKey)) === null) throw new ApiError(404, 'not_found', 'No such object');
  await c.env.R2.delete(fullKey);
  return c.json({ deleted: true, key });
}

/** `GET /v1/r2/list?prefix=&cursor=&limit=`: the caller's objects only, keys relative to their prefix. */
async function list(c: Context<ApiEnv>): Promise<Response> {
  const own = callerPrefix(c.get('auth'));
  const sub = c.req.query('prefix') ?? '';
  if (sub && (sub.startsWith('/') || sub.includes('..') || sub.includes('\\'))) throw new ApiError(400, 'bad_key', 'Invalid prefix');
  const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 1000);
  const cursor = c.req.query('cursor');
  const page = await c.env.R2.list({ prefix: `${own}${sub}`, limit, ...(cursor ? { cursor } : {}) });
  return c.json({
    objects: page.objects.map((object) => ({ key: object.key.slice(own.length), size: object.size, etag: object.httpEtag, uploaded: object.uploaded.toISOString() })),
    ...(page.truncated ? { cursor: page.cursor } : {}),
  });
}

/** `GET /v1/r2/signed-put?key=&contentType=&expires=`: a presigned S3 PUT URL for a direct upload. */
async function signedPut(c: Context<ApiEnv>): Promise<Response> {
  const auth = c.get('auth');
  const contentType = c.req.query('contentType');
  const key = c.req.query('key') === undefined ? generateKey(contentType) : requireKey(c, c.req.query('key'));
  const expires = Number(c.req.query('expires') ?? 600);
  if (!Number.isInteger(expires) || expires < 1 || expires > 3600) throw new ApiError(400, 'bad_request', 'expires must be 1 to 3600 seconds');
  if (contentType !== undefined && !/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) throw new ApiError(400, 'bad_request', 'Invalid contentType');
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
    key: `${callerPrefix(auth)}${key}`,
    ...(contentType ? { contentType } : {}),
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
