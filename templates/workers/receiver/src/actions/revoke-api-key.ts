import { ApiError } from '../lib/errors.js';
import { keyIdPattern, revokeApiKey as revoke } from '../lib/api-keys.js';
import { keySlot } from './api-key-policy.js';
import type { UserActionHandler } from './types.js';

/**
 * `revoke-api-key {keyId}`: deletes one of the signed-in user's keys; it stops working at once and its slot is free
 * again. A key id not in the form the receiver issues is 400; another user's key id, or an unknown one, is 404.
 *
 * @example
 * // -> 200 {"ok":true,"keyId":"key_..."}; another user's key id -> 404
 */
export const revokeApiKey: UserActionHandler = async (payload, { env, user }) => {
  if (typeof payload.keyId !== 'string' || !keyIdPattern.test(payload.keyId)) {
    throw new ApiError(400, 'bad_request', 'keyId must be a key id as provision-api-key returns it (key_…)');
  }
  const revoked = await revoke(env, user.userId, payload.keyId);
  if (!revoked) throw new ApiError(404, 'not_found', 'No such key');
  await keySlot(env, user.userId, revoked.slot).release(Date.parse(revoked.expires_at));
  return { ok: true, keyId: payload.keyId };
};
