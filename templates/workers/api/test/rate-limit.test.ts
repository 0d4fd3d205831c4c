// The per-user rate limit: a SQLite-backed Durable Object per user, exact under concurrency, with the
// RateLimit-* headers on every authenticated response and an alarm that frees storage after the window.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { checkRateLimit } from '../src/lib/rate-limiter.js';
import { bearer, call, errorCode, newUserId } from './helpers.js';

const limit = Number(env.RATE_LIMIT_PER_MINUTE ?? '100');

function limiterFor(key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}

/** Moves the user's current window a minute into the past, as if the minute had gone by. */
async function endCurrentWindow(userId: string): Promise<void> {
  await runInDurableObject(limiterFor(`user:${userId}`), (_instance, state) => {
    state.storage.sql.exec('UPDATE rate_window SET started_ms = started_ms - 60000');
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('per-user rate limit through the Worker', () => {
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
    await Promise.all(Array.from({ length: limit + 5 }, () => call('/v1/projects', { headers: noisyHeaders }).then((r) => r.arrayBuffer())));
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

describe('RateLimiter Durable Object', () => {
  it('admits exactly L of 3×L calls racing straight at the object', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 3 * limit }, () => checkRateLimit(env.RATE_LIMITER, key, limit, 60)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
    expect(decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: limit }, (_, i) => i),
    );
  });

  it('rolls over to a new window when the real clock passes the end of the old one', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const first = await Promise.all(Array.from({ length: 6 }, () => checkRateLimit(env.RATE_LIMITER, key, 4, 1)));
    expect(first.filter((d) => d.allowed)).toHaveLength(4);
    expect(first.filter((d) => !d.allowed).every((d) => d.resetSeconds === 1 && d.remaining === 0)).toBe(true);
    await sleep(1100);
    const later = await checkRateLimit(env.RATE_LIMITER, key, 4, 1);
    expect(later).toEqual({ allowed: true, limit: 4, remaining: 3, resetSeconds: 1 });
  });

  it('sets an alarm for the end of the window, and the alarm frees all storage once it has passed', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const stub = limiterFor(key);
    await checkRateLimit(env.RATE_LIMITER, key, 10, 1);
    const before = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
      rows: state.storage.sql.exec('SELECT started_ms + window_ms AS ends FROM rate_window').toArray(),
    }));
    expect(before.rows).toHaveLength(1);
    expect(before.alarm).toBe(before.rows[0]!.ends);

    await sleep(1100);
    // Runs the alarm now if workerd has not already fired it on its own; either way it must have cleaned up.
    await runDurableObjectAlarm(stub);
    const after = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'rate_window'").toArray(),
    }));
    expect(after).toEqual({ alarm: null, tables: [] });

    // The same object keeps working after its storage was dropped.
    expect(await checkRateLimit(env.RATE_LIMITER, key, 10, 1)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('starts a fresh count when a key is used with another window length', async () => {
    const key = `test:${crypto.randomUUID()}`;
    expect(await checkRateLimit(env.RATE_LIMITER, key, 1, 60)).toMatchObject({ allowed: true });
    expect(await checkRateLimit(env.RATE_LIMITER, key, 1, 60)).toMatchObject({ allowed: false });
    expect(await checkRateLimit(env.RATE_LIMITER, key, 1, 30)).toMatchObject({ allowed: true });
  });

  it('rejects a nonsensical limit or window at the call site', async () => {
    await expect(checkRateLimit(env.RATE_LIMITER, 'k', 0, 60)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(env.RATE_LIMITER, 'k', 1.5, 60)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(env.RATE_LIMITER, 'k', 10, 0)).rejects.toThrow(TypeError);
    await expect(checkRateLimit(env.RATE_LIMITER, 'k', 10, 86_401)).rejects.toThrow(TypeError);
  });
});
