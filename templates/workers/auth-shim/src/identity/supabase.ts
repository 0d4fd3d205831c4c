import type { Env } from '../env.js';
import { identityFromUser, isHttpUrl, type IdentityResult } from './types.js';

/**
 * Verifies a Supabase access token by asking Supabase Auth who it belongs to: `GET {SUPABASE_URL}/auth/v1/user`
 * with the project's `apikey` and `Authorization: Bearer <token>`. Supabase Auth refuses a bad, expired or
 * orphaned token with 401/403 and an `error_code`; a 401 without one comes from the API gateway refusing our
 * `apikey`, which is our configuration, not the caller's token.
 *
 * @example
 * const result = await verifySupabaseAccessToken(env, accessToken, 5000);
 * if (result.ok) result.identity.id;
 */
export async function verifySupabaseAccessToken(env: Env, accessToken: string, timeoutMs: number): Promise<IdentityResult> {
  const base = env.SUPABASE_URL?.trim().replace(/\/+$/, '') ?? '';
  if (!isHttpUrl(base)) return { ok: false, reason: 'misconfigured', detail: 'SUPABASE_URL is not a URL' };
  if (!env.SUPABASE_ANON_KEY) return { ok: false, reason: 'misconfigured', detail: 'SUPABASE_ANON_KEY is not set' };

  let response: Response;
  try {
    response = await fetch(`${base}/auth/v1/user`, {
      headers: { apikey: env.SUPABASE_ANON_KEY, authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return { ok: false, reason: 'provider_timeout', detail: `supabase: no answer in ${timeoutMs} ms` };
    }
    return { ok: false, reason: 'provider_unreachable', detail: `supabase: ${error instanceof Error ? error.name : 'unknown error'}` };
  }

  const body = await readJson(response);
  if (response.status === 200) return identityFromUser(body);
  const errorCode = typeof body?.error_code === 'string' ? body.error_code : undefined;
  if ((response.status === 401 || response.status === 403) && errorCode) {
    return { ok: false, reason: 'token_rejected', detail: `supabase: ${errorCode}` };
  }
  return { ok: false, reason: 'provider_failed', detail: `supabase: HTTP ${response.status}${errorCode ? ` ${errorCode}` : ''}` };
}

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
