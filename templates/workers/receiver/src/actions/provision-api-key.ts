import { ApiError } from '../lib/errors.js';
import { createApiKey } from '../lib/api-keys.js';
import { apiKeyPolicyFromEnv, claimKeySlot, keySlot } from './api-key-policy.js';
import type { UserActionHandler } from './types.js';

const dayMs = 86_400_000;

/**
 * `provision-api-key {name, tier?, roles?, expiresInDays?}` for the signed-in user: creates an `obtk_...` key, stores
 * only its hash, and returns the key once.
 *
 * - `tier` names a quota and must be one of the operator's `apiKeys.tiers` (default: the first); it is never a role.
 * - `roles` are the roles the key may act with: each must be a role of the caller's session now (else 403); none
 *   by default.
 * - `expiresInDays` defaults to `apiKeys.defaultTtlDays`, at most `apiKeys.maxTtlDays`.
 * - A user holds at most `apiKeys.maxPerUser` keys (409 `key_limit` beyond; revoke one or let it expire).
 *
 * @example
 * // app -> POST /send {"action":"provision-api-key","name":"CI"} with the session JWT
 * // -> 200 {"ok":true,"token":"obtk_...","keyId":"key_...","prefix":"obtk_AbCdEf","tier":"free","roles":[],
 * //        "expires_at":"2027-01-01T00:00:00.000Z"}
 */
export const provisionApiKey: UserActionHandler = async (payload, { env, user }) => {
  const policy = apiKeyPolicyFromEnv(env);
  const { name, tier = policy.tiers[0], roles = [], expiresInDays = policy.defaultTtlDays } = payload;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    throw new ApiError(400, 'bad_request', 'name must be a string of 1 to 100 characters');
  }
  if (typeof tier !== 'string' || !policy.tiers.includes(tier)) {
    throw new ApiError(400, 'bad_request', `tier must be one of ${policy.tiers.join(', ')}`);
  }
  if (!Array.isArray(roles) || roles.length > 64 || !roles.every((role) => typeof role === 'string')) {
    throw new ApiError(400, 'bad_request', 'roles must be a list of role names');
  }
  const beyondSession = roles.filter((role) => !user.roles.includes(role));
  if (beyondSession.length > 0) throw new ApiError(403, 'forbidden', 'roles may only name roles your session has');
  if (!Number.isInteger(expiresInDays) || (expiresInDays as number) < 1 || (expiresInDays as number) > policy.maxTtlDays) {
    throw new ApiError(400, 'bad_request', `expiresInDays must be a whole number of days from 1 to ${policy.maxTtlDays}`);
  }
  const expiresAt = new Date(Date.now() + (expiresInDays as number) * dayMs);
  const slot = await claimKeySlot(env, user.userId, policy.maxPerUser, expiresAt.getTime());
  if (slot === null) {
    throw new ApiError(409, 'key_limit', `At most ${policy.maxPerUser} API keys per user: revoke one (list-api-keys shows them)`);
  }
  try {
    const { token, record } = await createApiKey(env, {
      userId: user.userId,
      ...(user.tenant ? { tenant: user.tenant } : {}),
      name: name.trim(),
      tier,
      roles: [...new Set(roles as string[])],
      expiresAt,
      slot,
    });
    return {
      ok: true,
      token,
      keyId: record.keyId,
      prefix: record.prefix,
      tier: record.tier,
      roles: record.roles,
      expires_at: record.expires_at,
    };
  } catch (error) {
    // Nothing was issued: give the slot back so that a retry is not counted twice.
    await keySlot(env, user.userId, slot).release(expiresAt.getTime());
    throw error;
  }
};
