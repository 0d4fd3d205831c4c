/** What one rate-limit check answers, whichever limiter counted; `resetSeconds` is the time until the window ends. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window after this one (0 when refused). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1): `RateLimit-Reset` and, on refusal, `Retry-After`. */
  resetSeconds: number;
}

/**
 * The `RateLimit-*` headers (IETF draft "RateLimit header fields for HTTP", the three-field form most
 * clients read) and, on refusal, `Retry-After`. The exact and the edge limiter both answer through here, so a
 * client sees the same headers whichever one the project chose.
 *
 * @example
 * for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.header(name, value);
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.resetSeconds);
  return headers;
}
