import type { CredentialResult } from './auth-guard.js';
import type { Env } from './env.js';
import { lookupApiKey } from './lib/api-keys.js';

/**
 * Accepts `Authorization: Bearer obtk_...`: the key's SHA-256 is looked up in `API_KEYS` (written by the
 * receiver's `provision-api-key` action). The caller gets the same auth context as with a session, with the
 * key's tier as its role; a deleted key is unknown, so it stops working at once.
 *
 * @example
 * createApiApp({ extensions, auth: { verifyApiKey: verifyApiKeyCredential } });
 */
export async function verifyApiKeyCredential(key: string, env: Env): Promise<CredentialResult> {
  if (!env.API_KEYS) return { ok: false, reason: 'api_keys_disabled' };
  const record = await lookupApiKey(env, key);
  if (!record) return { ok: false, reason: 'api_keys_disabled', detail: 'unknown or revoked API key' };
  return {
    ok: true,
    auth: { userId: record.userId, roles: [record.tier], ...(record.tenant ? { tenant: record.tenant } : {}) },
  };
}
