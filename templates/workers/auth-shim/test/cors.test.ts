import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { callWorker, instantEnv, sessionRequest, uniqueIp } from './helpers.js';

const instant = inject('instant');
const allowed = 'https://app.example.com';
const alsoAllowed = 'http://localhost:5173';
const origins = { ALLOWED_ORIGINS: `${allowed}, ${alsoAllowed}/` };

function preflight(origin: string): Request {
  return new Request('https://auth.test/auth/session', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
}

/** Every Access-Control-* header of a response. */
function corsHeaderNames(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
}

describe('CORS from ALLOWED_ORIGINS', () => {
  it.each([allowed, alsoAllowed])('answers the preflight of an allowed origin (%s) with 204 and what it may send', async (origin) => {
    const response = await callWorker(preflight(origin), origins);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it.each(['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null'])(
    'gives a disallowed origin (%s) no Access-Control-Allow-Origin, on the preflight and on the request',
    async (origin) => {
      const pre = await callWorker(preflight(origin), origins);
      expect(pre.status).toBe(204);
      expect(corsHeaderNames(pre)).toEqual([]);
      const response = await callWorker(sessionRequest({ refresh_token: instant.refreshToken }, { origin }), {
        ...origins,
        ...instantEnv(instant),
      });
      expect(response.status).toBe(200);
      expect(corsHeaderNames(response)).toEqual([]);
      expect(response.headers.get('vary')).toContain('Origin');
    },
  );

  it('never answers *, even when ALLOWED_ORIGINS says so', async () => {
    const response = await callWorker(preflight('https://any.example'), { ALLOWED_ORIGINS: '*' });
    expect(corsHeaderNames(response)).toEqual([]);
  });

  it('lets an allowed page read the session answer and its errors', async () => {
    const ok = await callWorker(sessionRequest({ refresh_token: instant.refreshToken }, { origin: allowed }), {
      ...origins,
      ...instantEnv(instant),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');

    const refused = await callWorker(sessionRequest({ refresh_token: crypto.randomUUID() }, { origin: allowed }), {
      ...origins,
      ...instantEnv(instant),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('uses the rendered ALLOWED_ORIGINS of local development (SELF)', async () => {
    const response = await SELF.fetch(
      new Request('https://auth.test/health', { headers: { origin: 'https://not-listed.example', 'cf-connecting-ip': uniqueIp() } }),
    );
    expect(response.status).toBe(200);
    expect(corsHeaderNames(response)).toEqual([]);
  });
});
