import { DurableObject } from 'cloudflare:workers';
import type { RateLimitDecision } from './rate-limit-decision.js';

export { rateLimitHeaders, type RateLimitDecision } from './rate-limit-decision.js';

/** The bindings this module reads: a Durable Object namespace bound to the `RateLimiter` class. */
export interface RateLimiterEnv {
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}

/** Longest window a caller may ask for; a longer one is a programming mistake, not a policy. */
const maxWindowSeconds = 86_400;

/** The window in memory: `count` requests admitted, `reserved` of them already recorded in storage. */
interface Window {
  startedMs: number;
  windowMs: number;
  count: number;
  reserved: number;
}

interface ReservationRow extends Record<string, SqlStorageValue> {
  started_ms: number;
  window_ms: number;
  reserved: number;
}

/** How many admissions one storage write reserves: a tenth of the limit, so a window costs at most ten writes. */
export function reservationBlock(limit: number): number {
  return Math.max(1, Math.ceil(limit / 10));
}

/** `resetSeconds` is at most a day (86,400 s), so it fits below this factor; `remaining` goes above it. */
const packFactor = 100_000;

/** One decision as one number: `remaining * 100000 + resetSeconds` when allowed, `-resetSeconds` when refused. */
function packDecision(allowed: boolean, remaining: number, resetSeconds: number): number {
  return allowed ? remaining * packFactor + resetSeconds : -resetSeconds;
}

/** The decision `RateLimiter.consume` packed into one number. */
export function unpackDecision(packed: number, limit: number): RateLimitDecision {
  if (packed < 0) return { allowed: false, limit, remaining: 0, resetSeconds: -packed };
  return { allowed: true, limit, remaining: Math.floor(packed / packFactor), resetSeconds: packed % packFactor };
}

/**
 * A fixed-window counter, one Durable Object per key (a user, an IP, a user and route group).
 *
 * Exact under concurrency: a Durable Object handles its calls one at a time and `consume` is synchronous, so of N
 * concurrent requests with limit L exactly L are allowed. The count lives in the object's memory; storage holds
 * only a *reservation*: before the count passes what is reserved, the object records a new reservation (the count
 * plus a tenth of the limit, at most L) in SQLite. So a window costs at most ten writes, and the requests that do
 * not cross a reservation are answered without waiting for any storage commit. The output gate holds every
 * response that follows a write until that write is durable, so no request is admitted on a reservation that
 * could still be lost.
 *
 * Eviction and redeploys: when the object is evicted (idle, a crash) or the Worker is redeployed, its memory is
 * gone; the next instance resumes the window from the stored reservation, counting every reserved admission as
 * used. So the limit is never exceeded, and at worst up to a tenth of the limit that was reserved but not used is
 * refused until the window ends. A window that ended before the restart is simply over.
 *
 * The window starts at the first request after the previous one ended (not at a wall-clock minute), so a burst
 * is never split across two windows and resets of different keys do not all fall on the same second. An alarm at
 * the end of the window deletes all of the object's storage, so idle keys cost nothing and storage does not grow.
 *
 * @example
 * // wrangler: durable_objects.bindings [{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }],
 * // migrations [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }]
 * export { RateLimiter } from './lib/rate-limiter.js';
 */
export class RateLimiter extends DurableObject<object> {
  /** `undefined` until read from storage (once per instance); `null` when no window is open. */
  private window: Window | null | undefined;

  /** When the alarm is known to be set for, so a window pays for `setAlarm` once. */
  private alarmAt: number | null = null;

  /**
   * Counts one request against `limit` per `windowSeconds`; see `checkRateLimit`, which unpacks the answer
   * (`unpackDecision`). Synchronous on purpose: nothing else runs in this object between reading the count and
   * raising it. It answers one number, not an object, because that is what crosses the RPC boundary cheapest
   * (an object costs about a fifth more of the round trip, measured locally).
   */
  consume(limit: number, windowSeconds: number): number {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    let window = this.currentWindow();
    if (!window || window.windowMs !== windowMs || now >= window.startedMs + window.windowMs) {
      window = { startedMs: now, windowMs, count: 0, reserved: 0 };
      this.window = window;
    }
    const endsAt = window.startedMs + windowMs;
    const resetSeconds = Math.max(1, Math.ceil((endsAt - now) / 1000));
    if (window.count >= limit) return packDecision(false, 0, resetSeconds);
    window.count += 1;
    if (window.count > window.reserved) {
      window.reserved = Math.min(limit, window.count - 1 + reservationBlock(limit));
      this.reserve(window);
    }
    return packDecision(true, limit - window.count, resetSeconds);
  }

  /** The open window: from memory, or after a restart from the stored reservation (all of it counted as used). */
  private currentWindow(): Window | null {
    if (this.window !== undefined) return this.window;
    const sql = this.ctx.storage.sql;
    const exists = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rate_reservation'").toArray().length > 0;
    const row = exists
      ? sql.exec<ReservationRow>('SELECT started_ms, window_ms, reserved FROM rate_reservation WHERE id = 1').toArray()[0]
      : undefined;
    this.window = row ? { startedMs: row.started_ms, windowMs: row.window_ms, count: row.reserved, reserved: row.reserved } : null;
    return this.window;
  }

  /** Records the reservation (synchronous SQLite; committed at the end of this turn) and the cleanup alarm. */
  private reserve(window: Window): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS rate_reservation (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         started_ms INTEGER NOT NULL,
         window_ms INTEGER NOT NULL,
         reserved INTEGER NOT NULL
       )`,
    );
    sql.exec(
      `INSERT INTO rate_reservation (id, started_ms, window_ms, reserved) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET started_ms = excluded.started_ms, window_ms = excluded.window_ms,
         reserved = excluded.reserved`,
      window.startedMs,
      window.windowMs,
      window.reserved,
    );
    const endsAt = window.startedMs + window.windowMs;
    if (this.alarmAt === null || this.alarmAt < endsAt) {
      this.alarmAt = endsAt;
      // Not awaited: the output gate already holds the response until this and the write above are durable.
      this.ctx.storage.setAlarm(endsAt).catch(() => {
        this.alarmAt = null;
      });
    }
  }

  /** Frees all storage once the window has ended; a window still open gets a new alarm for its end. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const window = this.currentWindow();
    if (window && Date.now() < window.startedMs + window.windowMs) {
      this.alarmAt = window.startedMs + window.windowMs;
      await this.ctx.storage.setAlarm(this.alarmAt);
      return;
    }
    this.window = null;
    await this.ctx.storage.deleteAll();
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
  return unpackDecision(await namespace.get(namespace.idFromName(key)).consume(limit, windowSeconds), limit);
}
