import type { Env } from '../env.js';
import { ApiError } from '../lib/errors.js';

/**
 * The operator's rules for API keys, from the receiver's vars (written from `apiKeys` in `appshell.json`): which
 * tiers a user may ask for, how long a key lives by default and at most, and how many keys one user may hold.
 */
export interface ApiKeyPolicy {
  tiers: string[];
  defaultTtlDays: number;
  maxTtlDays: number;
  maxPerUser: number;
}

function positiveInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^[1-9]\d{0,4}$/.test(value) ? Number(value) : undefined;
}

/** Reads the policy; a missing or broken var is a deploy mistake, so the action fails closed (500 misconfigured). */
export function apiKeyPolicyFromEnv(env: Env): ApiKeyPolicy {
  const tiers = (env.API_KEY_TIERS ?? '')
    .split(',')
    .map((tier) => tier.trim())
    .filter(Boolean);
  const defaultTtlDays = positiveInteger(env.API_KEY_TTL_DAYS);
  const maxTtlDays = positiveInteger(env.API_KEY_MAX_TTL_DAYS);
  const maxPerUser = positiveInteger(env.API_KEYS_PER_USER);
  if (tiers.length === 0 || !defaultTtlDays || !maxTtlDays || !maxPerUser || defaultTtlDays > maxTtlDays) {
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  return { tiers, defaultTtlDays, maxTtlDays, maxPerUser };
}

/** The Durable Object that holds one of a user's key slots (the same one-claim-at-a-time object as webhook ids). */
export function keySlot(env: Env, userId: string, slot: number) {
  return env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`api-key-slot/${userId}/${slot}`));
}

/**
 * Claims the first free one of the user's `maxPerUser` slots until `expiresAtMs`; null when all are held. Exact
 * under concurrency: each slot is one Durable Object that grants one claim at a time, so of any number of requests
 * racing for a user's keys at most `maxPerUser` get a slot (KV alone, with no compare-and-swap, could not say so).
 */
export async function claimKeySlot(env: Env, userId: string, maxPerUser: number, expiresAtMs: number): Promise<number | null> {
  for (let slot = 0; slot < maxPerUser; slot += 1) {
    if (await keySlot(env, userId, slot).claim(expiresAtMs)) return slot;
  }
  return null;
}
