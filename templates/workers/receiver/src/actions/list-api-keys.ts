import { listApiKeys as list } from '../lib/api-keys.js';
import type { UserActionHandler } from './types.js';

/**
 * `list-api-keys {}`: the signed-in user's keys that have not expired (id, name, tier, roles, prefix, created and
 * expiry times), never a key or its hash, so that a lost `keyId` can still be revoked.
 *
 * @example
 * // -> 200 {"ok":true,"keys":[{"keyId":"key_...","name":"CI","tier":"free","roles":[],"prefix":"obtk_AbCdEf",...}]}
 */
export const listApiKeys: UserActionHandler = async (_payload, { env, user }) => {
  const keys = await list(env, user.userId);
  return { ok: true, keys: keys.map(({ slot: _slot, ...summary }) => summary) };
};
