import type { CredentialResult } from './auth-guard.js';
import type { Env } from './env.js';
import { lookupApiKey } from './lib/api-keys.js';

/**
 * Accepts `Authorization: Bearer obtk_...`: the key's SHA-256 is looked up in `API_KEYS` (written by the
 * receiver's `provision-api-key` action). The caller acts as the key's owner with the roles and tenant the key was
 * made with (never more than the owner's session had then) until the key expires; its tier is a quota name, given
 * to handlers as `auth.apiKey.tier` and never a role. A revoked or expired key is unknown, so it stops working at once.
 *
 * @example
 * createApiApp({ extensions, auth: { verifyApiKey: verifyApiKeyCredential } });
 */
export async function verifyApiKeyCredential(key: string, env: Env): Promise<CredentialResult> {
  if (!env.API_KEYS) return { ok: false, reason: 'api_keys_disabled' };
  const record = await lookupApiKey(env, key);
  if (!record) return { ok: false, reason: 'api_keys_disabled', detail: 'unknown, revoked or expired API key' };
  return {
    ok: true,
    auth: {
      userId: record.userId,
      roles: [...record.roles],
      ...(record.tenant ? { tenant: record.tenant } : {}),
      apiKey: { keyId: record.keyId, tier: record.tier },
    },
  };
}
