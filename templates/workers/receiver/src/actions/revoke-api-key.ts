import { ApiError } from '../lib/errors.js';
import { revokeApiKey as revoke } from '../lib/api-keys.js';
import type { UserActionHandler } from './types.js';

/**
 * `revoke-api-key {keyId}`: deletes one of the signed-in user's keys; it stops working at once.
 *
 * @example
 * // -> 200 {"ok":true,"keyId":"key_..."}; another user's key id -> 404
 */
export const revokeApiKey: UserActionHandler = async (payload, { env, user }) => {
  if (typeof payload.keyId !== 'string' || payload.keyId.length > 64) throw new ApiError(400, 'bad_request', 'keyId must be a string');
  if (!(await revoke(env, user.userId, payload.keyId))) throw new ApiError(404, 'not_found', 'No such key');
  return { ok: true, keyId: payload.keyId };
};
