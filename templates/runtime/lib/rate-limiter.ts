import { DurableObject } from 'cloudflare:workers';

/** What one rate-limit check answers; `resetSeconds` is the time until the current window ends. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window after this one (0 when refused). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1): `RateLimit-Reset` and, on refusal, `Retry-After`. */
  resetSeconds: number;
}

/** The bindings this module reads: a Durable Object namespace bound to the `RateLimiter` class. */
export interface RateLimiterEnv {
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}

/** Longest window a caller may ask for; a longer one is a programming mistake, not a policy. */
const maxWindowSeconds = 86_400;

interface WindowRow extends Record<string, SqlStorageValue> {
  started_ms: number;
  window_ms: number;
  count: number;
}

/**
 * A fixed-window counter, one Durable Object per key (a user, an IP, a user and route group).
 *
 * Exact under concurrency: a Durable Object handles its requests one at a time and `consume` reads and
 * writes SQLite synchronously with no `await` in between, so of N concurrent requests with limit L exactly
 * L are allowed. The window starts at the first request after the previous one ended (not at a wall-clock
 * minute), so a burst is never split across two windows and resets of different keys do not all fall on
 * the same second. An alarm at the end of the window deletes the row and, when nothing is left, all of the
 * object's storage, so idle keys cost nothing and storage does not grow.
 *
 * @example
 * // wrangler: durable_objects.bindings [{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }],
 * // migrations [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }]
 * export { RateLimiter } from './lib/rate-limiter.js';
 */
export class RateLimiter extends DurableObject<object> {
  /** When the alarm is known to be set for, so a request does not pay for `setAlarm` every time. */
  private alarmAt: number | null = null;

  /** Whether this instance has created the table; `deleteAll` in the alarm drops it. */
  private tableReady = false;

  /** Counts one request against `limit` per `windowSeconds`; see `checkRateLimit`. */
  async consume(limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const { decision, endsAt } = this.count(limit, windowSeconds * 1000, Date.now());
    await this.scheduleCleanup(endsAt);
    return decision;
  }

  /** Synchronous on purpose: nothing else runs in this object between the read and the write. */
  private count(limit: number, windowMs: number, now: number): { decision: RateLimitDecision; endsAt: number } {
    const sql = this.ensureTable();
    const row = sql.exec<WindowRow>('SELECT started_ms, window_ms, count FROM rate_window WHERE id = 1').toArray()[0];
    const current = row && row.window_ms === windowMs && now < row.started_ms + row.window_ms;
    const startedMs = current ? row.started_ms : now;
    const used = current ? row.count : 0;
    const endsAt = startedMs + windowMs;
    const resetSeconds = Math.max(1, Math.ceil((endsAt - now) / 1000));
    if (used >= limit) return { decision: { allowed: false, limit, remaining: 0, resetSeconds }, endsAt };
    sql.exec(
      `INSERT INTO rate_window (id, started_ms, window_ms, count) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET started_ms = excluded.started_ms, window_ms = excluded.window_ms,
         count = excluded.count`,
      startedMs,
      windowMs,
      used + 1,
    );
    return { decision: { allowed: true, limit, remaining: limit - used - 1, resetSeconds }, endsAt };
  }

  private ensureTable(): SqlStorage {
    const sql = this.ctx.storage.sql;
    if (!this.tableReady) {
      sql.exec(
        `CREATE TABLE IF NOT EXISTS rate_window (
           id INTEGER PRIMARY KEY CHECK (id = 1),
           started_ms INTEGER NOT NULL,
           window_ms INTEGER NOT NULL,
           count INTEGER NOT NULL
         )`,
      );
      this.tableReady = true;
    }
    return sql;
  }

  private async scheduleCleanup(endsAt: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt >= endsAt) return;
    this.alarmAt = endsAt;
    await this.ctx.storage.setAlarm(endsAt);
  }

  /** Deletes an ended window; when the object holds nothing else, frees its storage entirely. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.ensureTable().exec('DELETE FROM rate_window WHERE started_ms + window_ms <= ?', now);
    const left = this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM rate_window').one().n;
    if (left === 0) {
      this.tableReady = false;
      await this.ctx.storage.deleteAll();
      return;
    }
    // A newer window began since the alarm was set: clean it up when it ends.
    const endsAt = this.ctx.storage.sql
      .exec<{ ends_at: number }>('SELECT MAX(started_ms + window_ms) AS ends_at FROM rate_window')
      .one().ends_at;
    await this.scheduleCleanup(endsAt);
  }
}

/**
 * Counts one request for `key` and says whether it may pass. One Durable Object per key, so the count is
 * exact however many Worker instances call at once. Prefix keys by what they count (`user:`, `ip:`) so
 * two limiters sharing a namespace never collide.
 *
 * @example
 * const decision = await checkRateLimit(env.RATE_LIMITER, `user:${auth.userId}`, 100, 60);
 * if (!decision.allowed) throw new ApiError(429, 'rate_limited', 'Too many requests',
 *   { 'Retry-After': String(decision.resetSeconds) });
 */
export async function checkRateLimit(
  namespace: DurableObjectNamespace<RateLimiter>,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<RateLimitDecision> {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`rate limit must be a positive integer, got ${limit}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > maxWindowSeconds) {
    throw new TypeError(`rate limit window must be 1..${maxWindowSeconds} whole seconds, got ${windowSeconds}`);
  }
  const stub = namespace.get(namespace.idFromName(key));
  return stub.consume(limit, windowSeconds);
}

/**
 * The `RateLimit-*` headers (IETF draft "RateLimit header fields for HTTP", the three-field form most
 * clients read) and, on refusal, `Retry-After`.
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
