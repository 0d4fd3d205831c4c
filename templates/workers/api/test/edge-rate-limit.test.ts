// The edge limiter (appshell.json rateLimiter "edge"): Cloudflare's Workers Rate Limiting binding
// RATE_LIMIT_EDGE_<limit> behind the same middleware, so the same RateLimit-* / Retry-After headers and 429
// envelope as the exact limiter. The wiring is tested with a stand-in binding in every project; a project generated
// with the edge limiter also runs the real binding (workerd's local one).
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.js';
import { checkEdgeRateLimit } from '../src/lib/edge-rate-limiter.js';
import { base, bearer, call, errorCode, newUserId } from './helpers.js';
import { edgeMode, standInRateLimit } from './rate-limit-stand-in.js';

/** Calls the Worker with the edge limiter on and `bindings` over its env (no Durable Object limiter at all). */
async function callEdge(path: string, init: RequestInit, bindings: Record<string, unknown>): Promise<Response> {
  const ctx = createExecutionContext();
  const edgeEnv = { ...env, RATE_LIMITER_MODE: 'edge', RATE_LIMITER: undefined, ...bindings } as unknown as typeof env;
  const response = await worker.fetch(new Request(`${base}${path}`, init), edgeEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('edge limiter through the Worker (stand-in binding)', () => {
  it('admits up to the limit with the RateLimit-* headers, then answers 429 rate_limited with Retry-After', async () => {
    const binding = standInRateLimit(3);
    const userId = newUserId('edge');
    const headers = await bearer({ sub: userId });
    const responses = [];
    for (let i = 0; i < 5; i += 1)
      responses.push(await callEdge('/v1/hello', { headers }, { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_EDGE_3: binding }));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(responses.slice(0, 3).map((r) => r.headers.get('RateLimit-Remaining'))).toEqual(['2', '1', '0']);
    for (const response of responses) {
      expect(response.headers.get('RateLimit-Limit')).toBe('3');
      const reset = Number(response.headers.get('RateLimit-Reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    const limited = responses[3]!;
    expect(limited.headers.get('RateLimit-Remaining')).toBe('0');
    expect(limited.headers.get('Retry-After')).toBe(limited.headers.get('RateLimit-Reset'));
    expect(await errorCode(limited)).toBe('rate_limited');
    // Keyed per user, as the exact limiter is.
    expect(new Set(binding.keys)).toEqual(new Set([`user:${userId}`]));
  });

  it('leaves another user untouched', async () => {
    const binding = standInRateLimit(1);
    const bindings = { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_EDGE_1: binding };
    const noisy = await bearer({ sub: newUserId('noisy') });
    expect((await callEdge('/v1/hello', { headers: noisy }, bindings)).status).toBe(200);
    expect((await callEdge('/v1/hello', { headers: noisy }, bindings)).status).toBe(429);
    const quiet = await callEdge('/v1/hello', { headers: await bearer({ sub: newUserId('quiet') }) }, bindings);
    expect([quiet.status, quiet.headers.get('RateLimit-Remaining')]).toEqual([200, '0']);
  });

  it('fails closed with 500 misconfigured (no detail on the wire) when the binding for the limit is missing', async () => {
    const headers = await bearer({ sub: newUserId() });
    const response = await callEdge('/v1/hello', { headers }, { RATE_LIMIT_PER_MINUTE: '7' });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body).error.code).toBe('misconfigured');
    expect(body).not.toContain('RATE_LIMIT_EDGE');
  });

  it('fails closed on an unknown RATE_LIMITER_MODE', async () => {
    const headers = await bearer({ sub: newUserId() });
    const response = await callEdge('/v1/hello', { headers }, { RATE_LIMITER_MODE: 'off' });
    expect(response.status).toBe(500);
    expect(await errorCode(response)).toBe('misconfigured');
  });

  it("estimates remaining and reset from this isolate's own count: a new minute starts full", async () => {
    const binding = standInRateLimit(100);
    const key = `test:${crypto.randomUUID()}`;
    const start = Date.now();
    expect(await checkEdgeRateLimit(binding, key, 10, start)).toEqual({ allowed: true, limit: 10, remaining: 9, resetSeconds: 60 });
    expect(await checkEdgeRateLimit(binding, key, 10, start + 30_500)).toEqual({
      allowed: true,
      limit: 10,
      remaining: 8,
      resetSeconds: 30,
    });
    expect(await checkEdgeRateLimit(binding, key, 10, start + 60_000)).toEqual({
      allowed: true,
      limit: 10,
      remaining: 9,
      resetSeconds: 60,
    });
  });
});

describe.skipIf(!edgeMode)('edge limiter with the real binding (project generated with rateLimiter "edge")', () => {
  const limit = Number(env.RATE_LIMIT_PER_MINUTE ?? '100');

  it(`refuses past the limit (L = ${limit}) with the same headers and envelope, per user`, async () => {
    const headers = await bearer({ sub: newUserId('edge-real') });
    // The local binding counts in fixed minutes: 2×L + 1 requests reach a refusal even across a minute boundary.
    const responses = await Promise.all(Array.from({ length: 2 * limit + 1 }, () => call('/v1/hello', { headers })));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(responses.length);
    expect(limited.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThanOrEqual(2 * limit);
    for (const response of limited) {
      expect(response.headers.get('RateLimit-Limit')).toBe(String(limit));
      expect(response.headers.get('RateLimit-Remaining')).toBe('0');
      expect(response.headers.get('Retry-After')).toBe(response.headers.get('RateLimit-Reset'));
      expect(await errorCode(response)).toBe('rate_limited');
    }
    await Promise.all(ok.map((r) => r.arrayBuffer()));

    const other = await call('/v1/hello', { headers: await bearer({ sub: newUserId('edge-other') }) });
    expect(other.status).toBe(200);
    expect(other.headers.get('RateLimit-Limit')).toBe(String(limit));
  });
});
