import type { MiddlewareHandler } from 'hono';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { checkRateLimit, rateLimitHeaders } from './lib/rate-limiter.js';

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
 * Counts every authenticated request against its user's budget in the `RateLimiter` Durable Object (one
 * object per user and group, exact under concurrency). Every response behind it carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset`; a refused request is 429 `rate_limited` with `Retry-After`.
 * Runs after `authGuard`.
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
    const decision = await checkRateLimit(c.env.RATE_LIMITER, key, limit, 60);
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
