import { init, InstantAPIError } from '@instantdb/admin';
import type { Env } from '../env.js';
import { identityFromUser, isHttpUrl, withTimeout, type IdentityResult } from './types.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What Instant answers (HTTP 400 `{"type": ...}`) when the refresh token itself is at fault. */
const tokenRejections = new Set(['record-not-found', 'record-expired', 'param-malformed', 'param-missing', 'validation-failed']);

type InstantDatabase = ReturnType<typeof init>;
let cached: { key: string; db: InstantDatabase } | undefined;

/** One admin client per app and API URL, kept for the isolate's life (it holds no per-user state). */
function database(appId: string, apiURI: string | undefined): InstantDatabase {
  const key = `${appId} ${apiURI ?? ''}`;
  if (cached?.key !== key) cached = { key, db: init({ appId, ...(apiURI ? { apiURI } : {}) }) };
  return cached.db;
}

/**
 * Verifies an InstantDB refresh token with `@instantdb/admin` (`db.auth.verifyToken`, which POSTs it to
 * `{INSTANT_API_URI}/runtime/auth/verify_refresh_token`). The SDK throws rather than returning null: an
 * `InstantAPIError` 400 with a token-related `type` means the token was refused; anything else means Instant
 * could not answer.
 *
 * @example
 * const result = await verifyInstantRefreshToken(env, refreshToken, 5000);
 * if (result.ok) result.identity.id;
 */
export async function verifyInstantRefreshToken(env: Env, refreshToken: string, timeoutMs: number): Promise<IdentityResult> {
  const appId = env.INSTANT_APP_ID?.trim() ?? '';
  if (!uuidPattern.test(appId)) return { ok: false, reason: 'misconfigured', detail: 'INSTANT_APP_ID is not an InstantDB app id' };
  const apiURI = env.INSTANT_API_URI?.trim().replace(/\/+$/, '') || undefined;
  if (apiURI !== undefined && !isHttpUrl(apiURI)) return { ok: false, reason: 'misconfigured', detail: 'INSTANT_API_URI is not a URL' };

  try {
    const answer = await withTimeout(database(appId, apiURI).auth.verifyToken(refreshToken), timeoutMs);
    if (!answer.done) return { ok: false, reason: 'provider_timeout', detail: `instant: no answer in ${timeoutMs} ms` };
    return identityFromUser(answer.value);
  } catch (error) {
    return refusalFromInstantError(error);
  }
}

/** Only the status and Instant's error `type` are kept: the error's hint can quote the token back. */
function refusalFromInstantError(error: unknown): IdentityResult {
  if (error instanceof InstantAPIError) {
    const type = typeof error.body?.type === 'string' ? error.body.type : 'unknown';
    if (error.status === 400 && tokenRejections.has(type)) return { ok: false, reason: 'token_rejected', detail: `instant: ${type}` };
    return { ok: false, reason: 'provider_failed', detail: `instant: HTTP ${error.status} ${type}` };
  }
  // fetch itself failed (connection refused, DNS, TLS) or the answer was not JSON.
  const name = error instanceof Error ? error.name : 'unknown error';
  return { ok: false, reason: 'provider_unreachable', detail: `instant: ${name}` };
}
