import type { Context, Hono } from 'hono';
import { callCloudflareApi, DetailedApiError, noteErrorDetail, readApiResult } from './cloudflare-api.js';
import type { ApiEnv, Env } from './env.js';
import { requireFeature } from './features.js';
import { route } from './lib/app.js';
import { ApiError } from './lib/errors.js';
import { readJsonObject } from './lib/json-body.js';
import { ownPrefix } from './owner.js';

/** What the app gets: the asset's id and a one-time URL the app uploads to directly (no token needed there). */
export interface DirectUpload {
  id: string;
  upload_url: string;
}

/** Stream reserves this much of the account's minutes until the upload arrives, unless the caller says less. */
const defaultMaxDurationSeconds = 3600;
const maxDurationSecondsLimit = 21600;

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

async function maxDuration(c: Context<ApiEnv>): Promise<number> {
  if (!c.req.header('Content-Type')) return defaultMaxDurationSeconds;
  const value = (await readJsonObject(c, 4096)).maxDurationSeconds ?? defaultMaxDurationSeconds;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > maxDurationSecondsLimit) {
    throw new ApiError(400, 'bad_request', `maxDurationSeconds must be 1 to ${maxDurationSecondsLimit}`);
  }
  return value as number;
}

/**
 * `POST /v1/images/direct-upload` and `POST /v1/stream/direct-upload` (features `images`, `stream`): a one-time
 * upload URL from the Cloudflare API (direct creator upload), so the app uploads straight to Cloudflare. The id is
 * recorded against the caller in `JOBS` (`media:<feature>:<id>` -> owner), so later calls can check who owns it.
 */
function directUpload(feature: 'images' | 'stream') {
  return async function directUploadHandler(c: Context<ApiEnv>): Promise<Response> {
    const owner = ownPrefix(c);
    const { userId } = c.get('auth');
    const duration = feature === 'stream' ? await maxDuration(c) : 0;
    if (!c.env.JOBS) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
    let upload: DirectUpload;
    try {
      upload = feature === 'images' ? await createImageUpload(c.env, userId) : await createStreamUpload(c.env, userId, duration);
    } catch (error) {
      noteErrorDetail(c, error);
      throw error;
    }
    await c.env.JOBS.put(`media:${feature}:${upload.id}`, JSON.stringify({ owner, created_at: new Date().toISOString() }));
    return c.json(upload);
  };
}

export function mountMediaRoutes(app: Hono<ApiEnv>): void {
  app.use('/v1/images/*', requireFeature('images'));
  app.use('/v1/stream/*', requireFeature('stream'));
  route(app, '/v1/images/direct-upload', { POST: directUpload('images') });
  route(app, '/v1/stream/direct-upload', { POST: directUpload('stream') });
}
