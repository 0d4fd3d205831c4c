import type { Context, Hono } from 'hono';
import { featureEnabled } from './ai/routes.js';
import type { ApiEnv } from './env.js';
import { route } from './lib/app.js';
import { ApiError } from './lib/errors.js';

/**
 * `POST /v1/images/direct-upload` and `POST /v1/stream/direct-upload` (features `images`, `stream`): a one-time
 * upload URL from the Cloudflare API (direct creator upload), so the app uploads straight to Cloudflare. The id is
 * recorded against the caller.
 */
function directUpload(feature: 'images' | 'stream') {
  return async function directUploadHandler(c: Context<ApiEnv>): Promise<Response> {
    if (!featureEnabled(c.env, feature)) throw new ApiError(404, 'not_found', 'No such route');
    const { CF_ACCOUNT_ID, CF_API_TOKEN } = c.env;
    if (!CF_ACCOUNT_ID || !CF_API_TOKEN) {
      c.set('errorDetail', `${feature} direct upload needs CF_ACCOUNT_ID and CF_API_TOKEN`);
      throw new ApiError(500, 'misconfigured', 'Server misconfigured');
    }
    const base = (c.env.CF_API_BASE || 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
    const auth = c.get('auth');
    const request =
      feature === 'images'
        ? new Request(`${base}/accounts/${CF_ACCOUNT_ID}/images/v2/direct_upload`, {
            method: 'POST',
            headers: { authorization: `Bearer ${CF_API_TOKEN}` },
            body: (() => {
              const form = new FormData();
              form.set('metadata', JSON.stringify({ userId: auth.userId }));
              return form;
            })(),
          })
        : new Request(`${base}/accounts/${CF_ACCOUNT_ID}/stream/direct_upload`, {
            method: 'POST',
            headers: { authorization: `Bearer ${CF_API_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ maxDurationSeconds: 3600, meta: { userId: auth.userId } }),
          });
    let result: { id?: string; uid?: string; uploadURL?: string } | undefined;
    try {
      const response = await fetch(request);
      const body = (await response.json()) as { success?: boolean; result?: typeof result };
      if (response.ok && body.success !== false) result = body.result;
    } catch {
      result = undefined;
    }
    const id = result?.id ?? result?.uid;
    if (!id || !result?.uploadURL) throw new ApiError(502, 'upstream_failed', 'The Cloudflare API failed');
    await c.env.JOBS.put(`media:${feature}:${id}`, JSON.stringify({ owner: auth.userId, created_at: new Date().toISOString() }));
    return c.json({ id, upload_url: result.uploadURL });
  };
}

export function mountMediaRoutes(app: Hono<ApiEnv>): void {
  route(app, '/v1/images/direct-upload', { POST: directUpload('images') });
  route(app, '/v1/stream/direct-upload', { POST: directUpload('stream') });
}
