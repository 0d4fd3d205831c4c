import type { MiddlewareHandler } from 'hono';
import { DetailedApiError, noteErrorDetail } from './cloudflare-api.js';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { checkEdgeRateLimit, edgeBindingName } from './lib/edge-rate-limiter.js';
import { rateLimitHeaders, type RateLimitDecision } from './lib/rate-limit-decision.js';
import { checkRateLimit } from './lib/rate-limiter.js';

/** A path prefix with its own per-user budget (requests per minute), counted apart from the default. */
export interface RateLimitGroup {
  prefix: string;
  perMinute: number;
}

export interface UserRateLimitOptions {
  /** Route groups with their own limit; the longest matching prefix wins. */
  groups?: readonly RateLimitGroup[];
}

const defaultPerMinute = 100;

/** `RATE_LIMIT_PER_MINUTE`, or 100 when unset; a value that is not a positive integer is a deploy mistake. */
export function defaultLimit(env: Env): number {
  const raw = env.RATE_LIMIT_PER_MINUTE;
  if (raw === undefined || raw === '') return defaultPerMinute;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  return value;
}

/** Whether `path` is `prefix` itself or below it (`/v1/a` covers `/v1/a/b`, not `/v1/ab`). */
export function pathIsUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
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
 * Counts every authenticated request against its user's budget (per user and group; `countRequest` says with
 * which limiter). Every response behind it carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
 * a refused request is 429 `rate_limited` with `Retry-After`, whichever limiter counted. Runs after `authGuard`.
 *
 * @example
 * app.use('*', authGuard(), userRateLimit({ groups: [{ prefix: '/v1/reports', perMinute: 10 }] }));
 */
export function userRateLimit(options: UserRateLimitOptions = {}): MiddlewareHandler<ApiEnv> {
  // Longest prefix first, so `/v1/a/b` beats `/v1/a`.
  const groups = [...(options.groups ?? [])].sort((a, b) => b.prefix.length - a.prefix.length);
  return async function userRateLimitMiddleware(c, next) {
    const group = groups.find(({ prefix }) => pathIsUnder(c.req.path, prefix));
    const limit = group ? group.perMinute : defaultLimit(c.env);
    const key = group ? `user:${c.get('auth').userId}|group:${group.prefix}` : `user:${c.get('auth').userId}`;
    let decision: RateLimitDecision;
    try {
      decision = await countRequest(c.env, key, limit);
    } catch (error) {
      noteErrorDetail(c, error);
      throw error;
    }
    if (!decision.allowed) {
      c.set('errorDetail', `rate limit: ${limit}/min exhausted${group ? ` for ${group.prefix}` : ''}`);
      throw new ApiError(429, 'rate_limited', 'Too many requests', rateLimitHeaders(decision));
    }
    const headers = rateLimitHeaders(decision);
    try {
      await next();
    } catch (error) {
      // Only the app's not-found handler throws through here (handlers' errors are rendered where they
      // are thrown): carry the headers on the error so the 404 has them too.
      if (error instanceof ApiError) throw new ApiError(error.status, error.code, error.message, { ...error.headers, ...headers });
      throw error;
    }
    // After the handler, so the headers land on whatever it answered, error envelopes included.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}
