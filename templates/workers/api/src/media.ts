import type { Context } from 'hono';
import { callCloudflareApi, DetailedApiError, noteErrorDetail, readApiResult } from './cloudflare-api.js';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { ownPrefix } from './owner.js';
import type { BuiltInHandler } from './routes/mount.js';

/** What the app gets: the asset's id and a one-time URL the app uploads to directly (no token needed there). */
export interface DirectUpload {
  id: string;
  upload_url: string;
}

/** Stream reserves this much of the account's minutes until the upload arrives, unless the caller says less. */
const defaultMaxDurationSeconds = 3600;

/** Cloudflare Images v2 direct creator upload: a multipart form; `metadata` stays private to the account. */
async function createImageUpload(env: Env, userId: string): Promise<DirectUpload> {
  const form = new FormData();
  form.set('metadata', JSON.stringify({ userId }));
  form.set('requireSignedURLs', 'false');
  const path = 'images/v2/direct_upload';
  const result = await readApiResult<{ id?: string; uploadURL?: string }>(
    await callCloudflareApi(env, path, { method: 'POST', body: form }),
    path,
  );
  if (!result.id || !result.uploadURL) throw new DetailedApiError(502, `${path}: no id or uploadURL`);
  return { id: result.id, upload_url: result.uploadURL };
}

/** Stream direct creator upload: JSON with the reserved duration; `creator` tags the video with the user. */
async function createStreamUpload(env: Env, userId: string, maxDurationSeconds: number): Promise<DirectUpload> {
  const path = 'stream/direct_upload';
  const response = await callCloudflareApi(env, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ maxDurationSeconds, meta: { userId }, ...(userId.length <= 64 ? { creator: userId } : {}) }),
  });
  const result = await readApiResult<{ uid?: string; uploadURL?: string }>(response, path);
  if (!result.uid || !result.uploadURL) throw new DetailedApiError(502, `${path}: no uid or uploadURL`);
  return { id: result.uid, upload_url: result.uploadURL };
}

/**
 * `POST /v1/images/direct-upload` and `POST /v1/stream/direct-upload` (features `images`, `stream`): a one-time
 * upload URL from the Cloudflare API (direct creator upload), so the app uploads straight to Cloudflare. The id is
 * recorded against the caller in `JOBS` (`media:<feature>:<id>` -> owner), so later calls can check who owns it.
 */
async function directUpload(c: Context<ApiEnv>, feature: 'images' | 'stream', maxDurationSeconds: number): Promise<Response> {
  const owner = ownPrefix(c);
  const { userId } = c.get('auth');
  if (!c.env.JOBS) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  let upload: DirectUpload;
  try {
    upload = feature === 'images' ? await createImageUpload(c.env, userId) : await createStreamUpload(c.env, userId, maxDurationSeconds);
  } catch (error) {
    noteErrorDetail(c, error);
    throw error;
  }
  await c.env.JOBS.put(`media:${feature}:${upload.id}`, JSON.stringify({ owner, created_at: new Date().toISOString() }));
  return c.json(upload);
}

export const imagesDirectUpload: BuiltInHandler<'imagesDirectUpload'> = (c) => directUpload(c, 'images', 0);

/** The body is optional: without `maxDurationSeconds` Stream reserves an hour. */
export const streamDirectUpload: BuiltInHandler<'streamDirectUpload'> = (c) =>
  directUpload(c, 'stream', c.req.valid('json').maxDurationSeconds ?? defaultMaxDurationSeconds);
