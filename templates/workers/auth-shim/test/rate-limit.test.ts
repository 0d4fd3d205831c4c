import { describe, expect, inject, it } from 'vitest';
import { clientKey } from '../src/brute-force-guard.js';
import type { Env } from '../src/env.js';
import { callWorker, captureLogs, instantEnv, requestLogLine, sessionRequest, uniqueIp } from './helpers.js';

const instant = inject('instant');

/** An attempt that the provider would refuse: guessing is what the guard is for. */
const guess = (ip: string, options: { origin?: string } = {}) => sessionRequest({ refresh_token: crypto.randomUUID() }, { ip, ...options });

async function attempt(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  return callWorker(request, { ...instantEnv(instant), ...overrides });
}

describe('brute-force guard per client IP', () => {
  it('lets 30 attempts a minute through by default and answers the 31st with 429 and Retry-After', async () => {
    const ip = uniqueIp();
    for (let i = 1; i <= 30; i += 1) {
      const response = await attempt(guess(ip));
      expect(response.status, `attempt ${i}`).toBe(401);
      expect(response.headers.get('ratelimit-remaining')).toBe(String(30 - i));
    }
    // Even the right token is refused once the budget is spent.
    const { result: refused, logs } = await captureLogs(() => attempt(sessionRequest({ refresh_token: instant.refreshToken }, { ip })));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(requestLogLine(logs)).toMatchObject({ status: 429, detail: 'rate_limited' });

    // Another client is not affected.
    expect((await attempt(sessionRequest({ refresh_token: instant.refreshToken }, { ip: uniqueIp() }))).status).toBe(200);
  });

  it('counts every attempt, bad input included, against SESSION_RATE_LIMIT_PER_MINUTE', async () => {
    const ip = uniqueIp();
    const limit = { SESSION_RATE_LIMIT_PER_MINUTE: '3' };
    expect((await attempt(sessionRequest('{not json', { ip }), limit)).status).toBe(400);
    expect((await attempt(sessionRequest({ refresh_token: instant.refreshToken }, { ip }), limit)).status).toBe(200);
    expect((await attempt(guess(ip), limit)).status).toBe(401);
    const refused = await attempt(guess(ip), limit);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
  });

  it('is exact under concurrency: of 12 simultaneous attempts with a limit of 5, exactly 5 pass', async () => {
    const ip = uniqueIp();
    const responses = await Promise.all(Array.from({ length: 12 }, () => attempt(guess(ip), { SESSION_RATE_LIMIT_PER_MINUTE: '5' })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
  });

  it('counts one IPv6 /64 as one client, and a neighbouring /64 apart', async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    const limit = { SESSION_RATE_LIMIT_PER_MINUTE: '2' };
    expect((await attempt(guess(`${prefix}::1`), limit)).status).toBe(401);
    expect((await attempt(guess(`${prefix}:ffff:ffff:ffff:fffe`), limit)).status).toBe(401);
    expect((await attempt(guess(`${prefix}:0:0:0:2`), limit)).status).toBe(429);
    expect((await attempt(guess(`${prefix.slice(0, -1)}2::1`), limit)).status).toBe(401);
  });

  it('lets an allowed page read the 429 (CORS headers on it)', async () => {
    const ip = uniqueIp();
    const overrides = { SESSION_RATE_LIMIT_PER_MINUTE: '1', ALLOWED_ORIGINS: 'https://app.example.com' };
    await attempt(guess(ip), overrides);
    const refused = await attempt(guess(ip, { origin: 'https://app.example.com' }), overrides);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('does not count other routes', async () => {
    const ip = uniqueIp();
    const overrides = { SESSION_RATE_LIMIT_PER_MINUTE: '1' };
    for (let i = 0; i < 3; i += 1) {
      const health = await attempt(new Request('https://auth.test/health', { headers: { 'cf-connecting-ip': ip } }), overrides);
      expect(health.status).toBe(200);
    }
    expect((await attempt(sessionRequest({ refresh_token: instant.refreshToken }, { ip }), overrides)).status).toBe(200);
  });

  it.each(['0', '-1', 'many', '2.5'])('SESSION_RATE_LIMIT_PER_MINUTE=%s -> 500 misconfigured', async (value) => {
    const response = await attempt(guess(uniqueIp()), { SESSION_RATE_LIMIT_PER_MINUTE: value });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
  });
});

describe('clientKey', () => {
  it.each([
    ['192.0.2.7', 'ip:192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', 'ip6:2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', 'ip6:2001:db8:1:2::/64'],
    ['2001:db8::', 'ip6:2001:db8:0:0::/64'],
    ['::ffff:192.0.2.7', 'ip:192.0.2.7'],
    ['::1', 'ip6:0:0:0:0::/64'],
    ['1:2:3:4:5:6:7:8:9', 'ip:1:2:3:4:5:6:7:8:9'],
    ['1::2::3', 'ip:1::2::3'],
    ['', 'ip:unknown'],
    [undefined, 'ip:unknown'],
  ])('%s -> %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });
});
