// The request pipeline and the extension registry: public routes before the guard, extensions reached with
// the caller's AuthContext, roles -> 403, per-route rate limits, 404/405, 500 without details, CORS.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api-app.js';
import type { ExtensionRoute } from '../src/extensions/index.js';
import { extensions as shippedExtensions } from '../src/extensions/index.js';
import { ApiError } from '../src/lib/errors.js';
import { base, bearer, call, errorCode, newUserId } from './helpers.js';
import { envWithEdgeLimits } from './rate-limit-stand-in.js';

const testExtensions: ExtensionRoute[] = [
  {
    prefix: '/v1/status',
    methods: ['GET'],
    public: true,
    handler: (request, _env, auth) => Response.json({ public: true, auth, path: new URL(request.url).pathname }),
  },
  {
    prefix: '/v1/whoami',
    methods: ['GET', 'POST'],
    handler: async (request, _env, auth) => Response.json({ method: request.method, auth, path: new URL(request.url).pathname }),
  },
  { prefix: '/v1/ping', methods: ['GET'], public: true, rateLimit: 2, handler: () => Response.json({ pong: true }) },
  { prefix: '/v1/reports', methods: ['GET'], roles: ['admin', 'auditor'], handler: () => Response.json({ reports: [] }) },
  { prefix: '/v1/expensive', methods: ['POST'], rateLimit: 2, handler: () => Response.json({ done: true }) },
  {
    prefix: '/v1/explode',
    methods: ['GET'],
    handler: () => {
      throw new Error('database password is hunter2 at /srv/app/secret.ts:12');
    },
  },
  {
    prefix: '/v1/teapot',
    methods: ['GET'],
    handler: () => {
      throw new ApiError(409, 'conflict', 'Already brewing');
    },
  },
];

const app = createApiApp({ extensions: testExtensions });
// With the edge limiter, the test entries' own limit (2) needs a binding the project's config does not have.
const testEnv = envWithEdgeLimits([2]);

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.request(`${base}${path}`, init, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('pipeline with a test registry', () => {
  it('serves a public extension without a token (and without a caller)', async () => {
    const response = await request('/v1/status/deep/path');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ public: true, auth: null, path: '/v1/status/deep/path' });
  });

  it('limits a public extension with its own rateLimit per client IP', async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request('/v1/ping', { headers: { 'CF-Connecting-IP': ip } })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await request('/v1/ping', { headers: { 'CF-Connecting-IP': ip } });
    expect(limited.headers.get('Retry-After')).toMatch(/^\d+$/);
    // Another address has its own budget.
    const other = await request('/v1/ping', { headers: { 'CF-Connecting-IP': '203.0.113.7' } });
    expect([other.status, other.headers.get('RateLimit-Remaining')]).toEqual([200, '1']);
  });

  it('hands the verified AuthContext to a protected extension, on the prefix and below it', async () => {
    const userId = newUserId();
    const headers = await bearer({ sub: userId, email: 'u@example.com', roles: ['member'], tenant: 'acme' });
    for (const path of ['/v1/whoami', '/v1/whoami/sub/path']) {
      const response = await request(path, { method: 'POST', headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        method: 'POST',
        path,
        auth: { userId, email: 'u@example.com', roles: ['member'], tenant: 'acme' },
      });
      expect(response.headers.get('RateLimit-Limit')).toBe(env.RATE_LIMIT_PER_MINUTE ?? '100');
    }
    // A prefix covers its sub-paths, not look-alikes.
    expect((await request('/v1/whoamix', { headers })).status).toBe(404);
  });

  it('refuses a protected extension without a token', async () => {
    const response = await request('/v1/whoami');
    expect(response.status).toBe(401);
  });

  it('answers 403 forbidden when the caller holds none of the required roles', async () => {
    const member = await request('/v1/reports', { headers: await bearer({ sub: newUserId(), roles: ['member'] }) });
    expect(member.status).toBe(403);
    expect(await errorCode(member)).toBe('forbidden');
    const auditor = await request('/v1/reports', { headers: await bearer({ sub: newUserId(), roles: ['auditor'] }) });
    expect(auditor.status).toBe(200);
  });

  it("applies an entry's own rate limit apart from the user's default budget", async () => {
    const headers = await bearer({ sub: newUserId() });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request('/v1/expensive', { method: 'POST', headers })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await request('/v1/expensive', { method: 'POST', headers });
    expect(limited.headers.get('RateLimit-Limit')).toBe('2');
    expect(limited.headers.get('Retry-After')).toMatch(/^\d+$/);
    // The default budget was not spent by the calls above.
    const other = await request('/v1/whoami', { headers });
    expect(other.headers.get('RateLimit-Remaining')).toBe(String(Number(env.RATE_LIMIT_PER_MINUTE ?? '100') - 1));
  });

  it('answers 404 for an unknown path and 405 with Allow for a known path', async () => {
    const headers = await bearer({ sub: newUserId() });
    const missing = await request('/v2/anything', { headers });
    expect([missing.status, await errorCode(missing)]).toEqual([404, 'not_found']);
    const wrong = await request('/v1/whoami', { method: 'DELETE', headers });
    expect([wrong.status, await errorCode(wrong)]).toEqual([405, 'method_not_allowed']);
    expect(wrong.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
    const wrongPublic = await request('/v1/status', { method: 'POST' });
    expect(wrongPublic.status).toBe(405);
  });

  it('asks for a token before telling whether a path exists', async () => {
    expect((await request('/v2/anything')).status).toBe(401);
  });

  it('turns an unexpected exception into 500 internal with the request id and nothing else', async () => {
    const response = await request('/v1/explode', { headers: await bearer({ sub: newUserId() }) });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'internal', message: 'Internal error', request_id: response.headers.get('X-Request-Id') },
    });
    expect(text).not.toMatch(/hunter2|secret\.ts|at \//);
    expect(response.headers.get('RateLimit-Limit')).not.toBeNull();
  });

  it('keeps the status and code of an ApiError thrown by an extension', async () => {
    const response = await request('/v1/teapot', { headers: await bearer({ sub: newUserId() }) });
    expect([response.status, await errorCode(response)]).toEqual([409, 'conflict']);
  });
});

describe('the shipped Worker', () => {
  it('answers GET /health without auth', async () => {
    const response = await call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, service: 'api' });
    expect(response.headers.get('X-Request-Id')).toBeTruthy();
    expect(response.headers.get('RateLimit-Limit')).toBeNull();
  });

  it('answers a wrong method on /health with 405', async () => {
    const response = await call('/health', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toContain('GET');
  });

  it('ships one example extension, /v1/hello, behind the guard', async () => {
    // The registry grows with `appshell add-route`; the example stays until the team removes it.
    // A registry from before route tables has `prefix` entries (appshell.json `handlerStyle: "fetch"`).
    const pathOf = (entry: ExtensionRoute) => ('path' in entry ? entry.path : entry.prefix);
    expect(shippedExtensions.map(pathOf)).toContain('/v1/hello');
    expect((await call('/v1/hello')).status).toBe(401);
    const userId = newUserId();
    const response = await call('/v1/hello', { headers: await bearer({ sub: userId, roles: ['member'] }) });
    expect(await response.json()).toEqual({ hello: userId, roles: ['member'], tenant: null, path: '/v1/hello' });
  });

  it('answers CORS for an allowed origin only, on success and on refusal alike', async () => {
    const allowed = (env.ALLOWED_ORIGINS ?? '').split(',')[0]!;
    expect(allowed).toMatch(/^https?:\/\//);
    const preflight = await call('/v1/projects', {
      method: 'OPTIONS',
      headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe(allowed);
    expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');

    const refused = await call('/v1/projects', { headers: { Origin: allowed } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe(allowed);
    expect(refused.headers.get('Access-Control-Expose-Headers')).toContain('RateLimit-Remaining');

    const foreign = await call('/v1/projects', { headers: { Origin: 'https://evil.example', ...(await bearer({ sub: newUserId() })) } });
    expect(foreign.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
