import type { RateLimitDecision } from './rate-limit-decision.js';

/**
 * The bindings this module reads: one Workers Rate Limiting binding per limit, `RATE_LIMIT_EDGE_<limit>`
 * (`ratelimits` in the wrangler config, `simple: { limit, period: 60 }`), and `RATE_LIMITER_MODE` naming it.
 */
export interface EdgeRateLimiterEnv {
  /** `exact` (the RateLimiter Durable Object, the default) or `edge` (the bindings below). */
  RATE_LIMITER_MODE?: string;
  [binding: `RATE_LIMIT_EDGE_${number}`]: RateLimit | undefined;
}

/** The binding that enforces `limit` per minute; the generator names it the same way. */
export function edgeBindingName(limit: number): `RATE_LIMIT_EDGE_${number}` {
  return `RATE_LIMIT_EDGE_${limit}`;
}

/** Keys this isolate has seen in its current minute, for the headers only; dropped wholesale when too many. */
const maxEstimatedKeys = 10_000;
const estimates = new Map<string, { startedMs: number; count: number }>();

/**
 * Counts one request for `key` with Cloudflare's Workers Rate Limiting binding: no round trip (the counter lives
 * in the Cloudflare location that runs the request), the same `RateLimitDecision` as the exact limiter, so the
 * same `RateLimit-*` / `Retry-After` headers and 429 envelope.
 *
 * What it does not guarantee: the count is per Cloudflare location and eventually consistent, so a user whose
 * requests land in several locations, or a burst faster than the locations' counters settle, can pass more than
 * `limit` in a minute; and the binding answers only yes or no, so `remaining` and `resetSeconds` are this
 * isolate's own estimate (its requests for the key in a minute starting at the first it saw), not the binding's.
 * Nothing is stored by the Worker: an eviction or a redeploy loses only that estimate.
 *
 * @example
 * const decision = await checkEdgeRateLimit(env.RATE_LIMIT_EDGE_100!, `user:${auth.userId}`, 100);
 */
export async function checkEdgeRateLimit(binding: RateLimit, key: string, limit: number, now = Date.now()): Promise<RateLimitDecision> {
  const { success } = await binding.limit({ key });
  let estimate = estimates.get(key);
  if (!estimate || now >= estimate.startedMs + 60_000) {
    if (estimates.size >= maxEstimatedKeys) estimates.clear();
    estimate = { startedMs: now, count: 0 };
    estimates.set(key, estimate);
  }
  if (success) estimate.count += 1;
  const resetSeconds = Math.max(1, Math.ceil((estimate.startedMs + 60_000 - now) / 1000));
  return { allowed: success, limit, remaining: success ? Math.max(0, limit - estimate.count) : 0, resetSeconds };
}
