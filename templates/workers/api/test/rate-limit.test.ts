// The per-user rate limit: a Durable Object per user counting in memory, exact under concurrency, with a
// reservation in SQLite once per tenth of the limit (so an evicted object never admits more than the limit), the
// RateLimit-* headers on every authenticated response and an alarm that frees storage after the window.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { checkRateLimit, RateLimiter, reservationBlock, unpackDecision } from '../src/lib/rate-limiter.js';
import { bearer, call, errorCode, newUserId } from './helpers.js';
import { edgeMode } from './rate-limit-stand-in.js';

const limit = Number(env.RATE_LIMIT_PER_MINUTE ?? '100');

// The exact limiter's Durable Object; a project with the edge limiter binds none (edge-rate-limit.test.ts).
const namespace = env.RATE_LIMITER!;

function limiterFor(key: string) {
  return namespace.get(namespace.idFromName(key));
}

/** The limiter's window in memory (a private field: read and moved here only, to stand in for the clock). */
type WindowField = { window?: { startedMs: number; count: number; reserved: number } | null };

/** Moves the user's current window a minute into the past, in memory and in storage, as if the minute had gone by. */
async function endCurrentWindow(userId: string): Promise<void> {
  await runInDurableObject(limiterFor(`user:${userId}`), (instance, state) => {
    const window = (instance as unknown as WindowField).window;
    if (window) window.startedMs -= 60_000;
    state.storage.sql.exec('UPDATE rate_reservation SET started_ms = started_ms - 60000');
  });
}

/** One call on an instance in hand, unpacked as `checkRateLimit` does. */
function consumeOn(instance: RateLimiter, perWindow: number, windowSeconds = 60) {
  return unpackDecision(instance.consume(perWindow, windowSeconds), perWindow);
}

function storedReservation(state: DurableObjectState): number | undefined {
  const table = state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'rate_reservation'").toArray();
  if (table.length === 0) return undefined;
  return state.storage.sql.exec<{ reserved: number }>('SELECT reserved FROM rate_reservation').toArray()[0]?.reserved;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(edgeMode)('per-user rate limit through the Worker (exact)', () => {
  it(`admits exactly L of 3×L concurrent requests (L = ${limit}) and answers the rest 429 with Retry-After`, async () => {
    const userId = newUserId('burst');
    const headers = await bearer({ sub: userId });
    const responses = await Promise.all(Array.from({ length: 3 * limit }, () => call('/v1/projects', { headers })));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok).toHaveLength(limit);
    expect(limited).toHaveLength(2 * limit);

    // Every admitted response carries a distinct remaining count: L-1 down to 0, each once.
    const remaining = ok.map((r) => Number(r.headers.get('RateLimit-Remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: limit }, (_, i) => i));
    for (const response of [...ok, ...limited]) {
      expect(response.headers.get('RateLimit-Limit')).toBe(String(limit));
      const reset = Number(response.headers.get('RateLimit-Reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    for (const response of limited) {
      expect(response.headers.get('RateLimit-Remaining')).toBe('0');
      expect(Number(response.headers.get('Retry-After'))).toBe(Number(response.headers.get('RateLimit-Reset')));
      expect(await errorCode(response)).toBe('rate_limited');
    }
    await Promise.all(ok.map((r) => r.arrayBuffer()));
  });

  it('leaves another user untouched while one is limited', async () => {
    const noisy = newUserId('noisy');
    const quiet = newUserId('quiet');
    const noisyHeaders = await bearer({ sub: noisy });
    await Promise.all(
      Array.from({ length: limit + 5 }, () => call('/v1/projects', { headers: noisyHeaders }).then((r) => r.arrayBuffer())),
    );
    expect((await call('/v1/projects', { headers: noisyHeaders })).status).toBe(429);

    const response = await call('/v1/projects', { headers: await bearer({ sub: quiet }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('RateLimit-Remaining')).toBe(String(limit - 1));
  });

  it('admits again in the next window', async () => {
    const userId = newUserId('next');
    const headers = await bearer({ sub: userId });
    await Promise.all(Array.from({ length: limit }, () => call('/v1/projects', { headers }).then((r) => r.arrayBuffer())));
    expect((await call('/v1/projects', { headers })).status).toBe(429);

    await endCurrentWindow(userId);
    const response = await call('/v1/projects', { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('RateLimit-Remaining')).toBe(String(limit - 1));
    expect(response.headers.get('RateLimit-Reset')).toBe('60');
  });

  it('puts the headers on error responses behind the guard too (404, 405)', async () => {
    const headers = await bearer({ sub: newUserId() });
    const missing = await call('/v1/nothing-here', { headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('RateLimit-Remaining')).toBe(String(limit - 1));
    const wrongMethod = await call('/v1/projects', { method: 'PUT', headers });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('RateLimit-Remaining')).toBe(String(limit - 2));
  });
});

describe.skipIf(edgeMode)('RateLimiter Durable Object', () => {
  it('admits exactly L of 3×L calls racing straight at the object', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 3 * limit }, () => checkRateLimit(namespace, key, limit, 60)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
    expect(
      decisions
        .filter((d) => d.allowed)
        .map((d) => d.remaining)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: limit }, (_, i) => i));
  });

  it('rolls over to a new window when the real clock passes the end of the old one', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const first = await Promise.all(Array.from({ length: 6 }, () => checkRateLimit(namespace, key, 4, 1)));
    expect(first.filter((d) => d.allowed)).toHaveLength(4);
    expect(first.filter((d) => !d.allowed).every((d) => d.resetSeconds === 1 && d.remaining === 0)).toBe(true);
    await sleep(1100);
    const later = await checkRateLimit(namespace, key, 4, 1);
    expect(later).toEqual({ allowed: true, limit: 4, remaining: 3, resetSeconds: 1 });
  });

  it('sets an alarm for the end of the window, and the alarm frees all storage once it has passed', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const stub = limiterFor(key);
    await checkRateLimit(namespace, key, 10, 1);
    const before = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
      rows: state.storage.sql.exec('SELECT started_ms + window_ms AS ends FROM rate_reservation').toArray(),
    }));
    expect(before.rows).toHaveLength(1);
    expect(before.alarm).toBe(before.rows[0]!.ends);

    await sleep(1100);
    // Runs the alarm now if workerd has not already fired it on its own; either way it must have cleaned up.
    await runDurableObjectAlarm(stub);
    const after = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'rate_reservation'").toArray(),
    }));
    expect(after).toEqual({ alarm: null, tables: [] });

    // The same object keeps working after its storage was dropped.
    expect(await checkRateLimit(namespace, key, 10, 1)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('keeps storage to one row and writes it at most ten times a window, however many requests come', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const result = await runInDurableObject(limiterFor(key), (instance, state) => {
      const sql = state.storage.sql;
      const exec = sql.exec.bind(sql);
      let writes = 0;
      sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
        if (/^\s*INSERT/i.test(query)) writes += 1;
        return exec(query, ...bindings);
      }) as typeof sql.exec;
      try {
        const allowed = Array.from({ length: 3 * limit }, () => consumeOn(instance, limit)).filter((d) => d.allowed).length;
        const rows = exec('SELECT COUNT(*) AS n FROM rate_reservation').one().n;
        return { allowed, writes, rows, reserved: storedReservation(state) };
      } finally {
        sql.exec = exec as typeof sql.exec;
      }
    });
    expect(result).toEqual({ allowed: limit, writes: Math.ceil(limit / reservationBlock(limit)), rows: 1, reserved: limit });
    expect(result.writes).toBeLessThanOrEqual(10);
  });

  it('has always reserved in storage at least what it admitted, so a lost instance cannot have admitted more', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const perWindow = 25;
    const gaps = await runInDurableObject(limiterFor(key), (instance, state) => {
      const found: number[] = [];
      for (let admitted = 1; admitted <= perWindow; admitted += 1) {
        consumeOn(instance, perWindow);
        found.push(storedReservation(state)! - admitted);
      }
      return found;
    });
    expect(gaps.every((gap) => gap >= 0 && gap < reservationBlock(perWindow))).toBe(true);
  });

  it('after an eviction, a fresh instance resumes from the reservation: never more than the limit in the window', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const perWindow = 20; // reservations of 2
    const stub = limiterFor(key);
    const before = await Promise.all(Array.from({ length: 7 }, () => checkRateLimit(namespace, key, perWindow, 60)));
    expect(before.every((d) => d.allowed)).toBe(true);
    const after = await runInDurableObject(stub, (_instance, state) => {
      // What workerd builds after an eviction or a redeploy: a new instance with nothing in memory, the same storage.
      const fresh = new RateLimiter(state, env);
      return Array.from({ length: perWindow }, () => consumeOn(fresh, perWindow));
    });
    const admittedAfter = after.filter((d) => d.allowed).length;
    // 7 admitted, 8 reserved: the fresh instance counts all 8 as used and admits the 12 left, then refuses.
    expect(7 + admittedAfter).toBeLessThanOrEqual(perWindow);
    expect(7 + admittedAfter).toBeGreaterThanOrEqual(perWindow - reservationBlock(perWindow));
    expect(after[0]).toMatchObject({ allowed: true, remaining: perWindow - 8 - 1 });
    expect(after.at(-1)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('after an eviction past the end of the window, a fresh instance starts a full new window', async () => {
    const key = `test:${crypto.randomUUID()}`;
    await Promise.all(Array.from({ length: 4 }, () => checkRateLimit(namespace, key, 4, 60)));
    const decision = await runInDurableObject(limiterFor(key), (_instance, state) => {
      state.storage.sql.exec('UPDATE rate_reservation SET started_ms = started_ms - 60000');
      return consumeOn(new RateLimiter(state, env), 4);
    });
    expect(decision).toEqual({ allowed: true, limit: 4, remaining: 3, resetSeconds: 60 });
  });

  it('starts a fresh count when a key is used with another window length', async () => {
    const key = `test:${crypto.randomUUID()}`;
    expect(await checkRateLimit(namespace, key, 1, 60)).toMatchObject({ allowed: true });
    expect(await checkRateLimit(namespace, key, 1, 60)).toMatchObject({ allowed: false });
    expect(await checkRateLimit(namespace, key, 1, 30)).toMatchObject({ allowed: true });
  });

  it('rejects a nonsensical limit or window at the call site', async () => {
    await expect(checkRateLimit(namespace, 'k', 0, 60)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(namespace, 'k', 1.5, 60)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(namespace, 'k', 10, 0)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(namespace, 'k', 10, 86_401)).rejects.toThrow(TypeError);
  });
});

describe('unpackDecision', () => {
  it('round-trips what the object packs, up to a limit of 100 million and a day-long window', () => {
    expect(unpackDecision(99_999_999 * 100_000 + 86_400, 100_000_000)).toEqual({
      allowed: true,
      limit: 100_000_000,
      remaining: 99_999_999,
      resetSeconds: 86_400,
    });
    expect(unpackDecision(0 * 100_000 + 1, 5)).toEqual({ allowed: true, limit: 5, remaining: 0, resetSeconds: 1 });
    expect(unpackDecision(-37, 5)).toEqual({ allowed: false, limit: 5, remaining: 0, resetSeconds: 37 });
  });
});
