import { ApiError } from '../lib/errors.js';
import { createApiKey } from '../lib/api-keys.js';
import type { UserActionHandler } from './types.js';

/** Tiers a key can have; the tier becomes the caller's role on the api Worker. */
export const apiKeyTiers = ['free', 'pro', 'enterprise'] as const;

/**
 * `provision-api-key {name, tier}` for the signed-in user: creates an `obtk_...` key, stores only its hash, and
 * returns the key once.
 *
 * @example
 * // app -> POST /send {"action":"provision-api-key","name":"CI","tier":"free"} with the session JWT
 * // -> 200 {"ok":true,"token":"obtk_...","keyId":"key_...","prefix":"obtk_AbCdEf","tier":"free"}
 */
export const provisionApiKey: UserActionHandler = async (payload, { env, user }) => {
  const { name, tier } = payload;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    throw new ApiError(400, 'bad_request', 'name must be a string of 1 to 100 characters');
  }
  if (typeof tier !== 'string' || !(apiKeyTiers as readonly string[]).includes(tier)) {
    throw new ApiError(400, 'bad_request', `tier must be one of ${apiKeyTiers.join(', ')}`);
  }
  const { token, record } = await createApiKey(env, {
    userId: user.userId,
    ...(user.tenant ? { tenant: user.tenant } : {}),
    name: name.trim(),
    tier,
  });
  return { ok: true, token, keyId: record.keyId, prefix: record.prefix, tier: record.tier };
};
