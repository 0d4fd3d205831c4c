import type { MiddlewareHandler } from 'hono';
import { DetailedApiError, noteErrorDetail } from './cloudflare-api.js';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { checkEdgeRateLimit, edgeBindingName } from './lib/edge-rate-limiter.js';
import { rateLimitHeaders, type RateLimitDecision } from './lib/rate-limit-decision.js';
import { checkRateLimit } from './lib/rate-limiter.js';

/** Who a rate limit counts, and against which budget. */
export interface RateLimitOptions {
  /** `user`: the verified caller (after `authGuard`); `ip`: the client address (`CF-Connecting-IP`), for public routes. */
  by: 'user' | 'ip';
  /** Requests per minute; absent: the default budget, `RATE_LIMIT_PER_MINUTE`. */
  perMinute?: number;
  /** A budget of its own (a route's `rateLimit`), counted apart from the default one: the route's path. */
  group?: string;
}

/**
 * `RATE_LIMIT_PER_MINUTE`, which appshell writes from `appshell.json` `rateLimitPerMinute`; unset, or not a positive
 * integer, is a deploy mistake (500 `misconfigured`), never an unlimited or made-up budget.
 */
export function defaultLimit(env: Env): number {
  const value = Number(env.RATE_LIMIT_PER_MINUTE);
  if (!env.RATE_LIMIT_PER_MINUTE || !Number.isInteger(value) || value < 1)
    throw new DetailedApiError(500, 'rate limit: RATE_LIMIT_PER_MINUTE is not a positive integer');
  return value;
}

/**
 * Counts one request for `key` against `limit` per minute with the limiter `RATE_LIMITER_MODE` names:
 *
 * - `exact` (default): the `RateLimiter` Durable Object, one per key: exact under concurrency, one round trip to
 *   where the object lives. Its count is in the object's memory with a reservation in storage every tenth of the
 *   limit: an eviction or a redeploy resumes the window from the reservation, so it never admits more than the
 *   limit (at worst it refuses up to a tenth of it early, until the window ends).
 * - `edge`: the Workers Rate Limiting binding `RATE_LIMIT_EDGE_<limit>`: per Cloudflare location and approximate
 *   (see `checkEdgeRateLimit`), no round trip; its counters are Cloudflare's, not the Worker's, so a redeploy
 *   does not reset them.
 *
 * A missing binding is a deploy mistake: 500 `misconfigured`, never an unlimited pass.
 */
export async function countRequest(env: Env, key: string, limit: number): Promise<RateLimitDecision> {
  const mode = env.RATE_LIMITER_MODE || 'exact';
  if (mode === 'edge') {
    const binding = env[edgeBindingName(limit)];
    if (!binding) throw new DetailedApiError(500, `rate limit: RATE_LIMITER_MODE is edge but ${edgeBindingName(limit)} is not bound`);
    return checkEdgeRateLimit(binding, key, limit);
  }
  if (mode !== 'exact') throw new DetailedApiError(500, `rate limit: RATE_LIMITER_MODE must be exact or edge, not ${mode}`);
  if (!env.RATE_LIMITER) throw new DetailedApiError(500, 'rate limit: RATE_LIMITER_MODE is exact but RATE_LIMITER is not bound');
  return checkRateLimit(env.RATE_LIMITER, key, limit, 60);
}

/**
 * Counts the request against its caller's budget (`countRequest` says with which limiter): every route of the table
 * gets this one middleware (`routes/mount.ts`). Every response behind it carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset`; a refused request is 429 `rate_limited` with `Retry-After`, whichever
 * limiter counted.
 *
 * @example
 * app.get('/v1/reports', authGuard(), rateLimit({ by: 'user', perMinute: 10, group: '/v1/reports' }), reports);
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<ApiEnv> {
  return async function rateLimitMiddleware(c, next) {
    const limit = options.perMinute ?? defaultLimit(c.env);
    const who = options.by === 'user' ? `user:${c.get('auth').userId}` : `ip:${c.req.header('CF-Connecting-IP') ?? 'unknown'}`;
    const key = options.group === undefined ? who : `${who}|group:${options.group}`;
    let decision: RateLimitDecision;
    try {
      decision = await countRequest(c.env, key, limit);
    } catch (error) {
      noteErrorDetail(c, error);
      throw error;
    }
    if (!decision.allowed) {
      c.set('errorDetail', `rate limit: ${limit}/min exhausted${options.group === undefined ? '' : ` for ${options.group}`}`);
      throw new ApiError(429, 'rate_limited', 'Too many requests', rateLimitHeaders(decision));
    }
    const headers = rateLimitHeaders(decision);
    try {
      await next();
    } catch (error) {
      // Only the app's not-found handler throws through here (handlers' errors are rendered where they are thrown):
      // carry the headers on the error so the 404 has them too.
      if (error instanceof ApiError) throw new ApiError(error.status, error.code, error.message, { ...error.headers, ...headers });
      throw error;
    }
    // After the handler, so the headers land on whatever it answered, error envelopes included.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}
