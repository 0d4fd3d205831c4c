// The route table is what the Worker answers: the app mounts exactly the method and path pairs the project's
// openapi.json lists for it (appshell writes the document from the same table and appshell.json), every one of them
// answers "no token" as the document says (401, or public), and a request its schemas refuse is 400 naming the field
// before the handler runs.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import * as z from 'zod/mini';
import { apiRoutes, createApiApp } from '../src/api-app.js';
import { extensions } from '../src/extensions/index.js';
import { featureEnabled } from '../src/features.js';
import type { ExtensionRoute, PathHandler } from '../src/extensions/types.js';
import { healthRoute } from '../src/route-table.js';
import type { RouteSpec } from '../src/routes/spec.js';
import { base, bearer, newUserId } from './helpers.js';
import { envWithEdgeLimits } from './rate-limit-stand-in.js';

const shipped: RouteSpec[] = [healthRoute, ...apiRoutes(extensions)];

/** The api Worker's operations in openapi.json: `GET /v1/projects/:id` and whether it asks for a credential. */
const documented = Object.entries(inject('openapi').paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, operation]) => operation.tags?.includes('api'))
    .map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{([^}]+)\}/g, ':$1'),
      needsToken: (operation.security ?? []).length > 0,
    })),
);
const pairs = (routes: readonly { method: string; path: string }[]) =>
  [...new Set(routes.map(({ method, path }) => `${method} ${path}`))].sort();

/** A URL for the route: each `:param` filled in. */
function sample(route: Pick<RouteSpec, 'path'>): string {
  return `${base}${route.path.replace(/:([A-Za-z0-9]+)/g, (_, name: string) => `example-${name}`)}`;
}

interface JsonSchemaObject {
  properties?: Record<string, { type?: string }>;
  required?: string[];
}
const asJsonSchema = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject;

/** Requests each route's schemas refuse, with the field the answer must name. */
function violations(route: RouteSpec): { label: string; url: string; init: RequestInit; field: string }[] {
  const cases: { label: string; url: string; init: RequestInit; field: string }[] = [];
  const query = route.request?.query ? asJsonSchema(route.request.query) : undefined;
  for (const [name, property] of Object.entries(query?.properties ?? {})) {
    if (property.type === 'integer') cases.push({ label: `query ${name}=x`, url: `${sample(route)}?${name}=x`, init: {}, field: name });
  }
  for (const name of query?.required ?? []) cases.push({ label: `query without ${name}`, url: sample(route), init: {}, field: name });
  const json = route.request?.json ? asJsonSchema(route.request.json) : undefined;
  const [first] = Object.keys(json?.properties ?? {});
  if (first !== undefined) {
    // An object is the wrong type for every field these bodies have (strings, numbers, booleans, lists).
    cases.push({
      label: `body ${first}: {}`,
      url: sample(route),
      init: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [first]: { wrong: true } }) },
      field: first,
    });
  }
  for (const name of json?.required ?? []) {
    cases.push({
      label: `body without ${name}`,
      url: sample(route),
      init: { headers: { 'content-type': 'application/json' }, body: '{}' },
      field: name,
    });
  }
  return cases;
}

describe('every route of the table', () => {
  it('has a schema violation to try on every built-in route that takes a query or a body, except free-form ones', () => {
    const checked = shipped.filter((route) => violations(route).length > 0).map((route) => `${route.method} ${route.path}`);
    expect(checked).toEqual(
      expect.arrayContaining([
        'GET /v1/r2/list',
        'GET /v1/r2/signed-put',
        'POST /v1/projects',
        'PATCH /v1/projects/:id',
        'POST /v1/ai/text-generate',
        'POST /v1/stream/direct-upload',
      ]),
    );
  });

  for (const route of documented) {
    it(`${route.method} ${route.path} answers without a token as openapi.json says (${route.needsToken ? '401' : 'public'})`, async () => {
      const response = await SELF.fetch(sample(route), { method: route.method });
      if (route.needsToken) {
        expect(response.status).toBe(401);
        expect(response.headers.get('WWW-Authenticate')).toBe('Bearer');
      } else {
        expect(response.status).not.toBe(401);
        expect(response.status).toBeLessThan(500);
      }
    });
  }

  for (const route of shipped) {
    const cases = violations(route);
    // A feature that is off has no routes to check (they answer 404).
    if (cases.length === 0 || (route.feature !== undefined && !featureEnabled(env, route.feature))) continue;
    it(`${route.method} ${route.path} refuses what its schemas refuse: 400 naming the field`, async () => {
      const headers = await bearer({ sub: newUserId(), roles: [...(route.roles ?? [])] });
      for (const { label, url, init, field } of cases) {
        const response = await SELF.fetch(url, { ...init, method: route.method, headers: { ...headers, ...init.headers } });
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect([response.status, body.error.code], label).toEqual([400, 'bad_request']);
        expect(body.error.message, label).toContain(field);
        // Checked before the handler: refused requests are still counted.
        expect(response.headers.get('RateLimit-Limit'), label).toMatch(/^\d+$/);
      }
    });
  }
});

describe('extension routes on their Hono paths', () => {
  const invoice: PathHandler<'/v1/invoices/:id/lines/:line'> = (c) => {
    const { id, line } = c.req.valid('param');
    return c.json({ id, line, userId: c.get('auth').userId });
  };
  const open: PathHandler<'/v1/open/:slug'> = (c) => c.json({ slug: c.req.valid('param').slug });
  const testExtensions: ExtensionRoute[] = [
    { path: '/v1/invoices/:id/lines/:line', methods: ['GET', 'PATCH'], roles: ['billing'], handler: invoice },
    { path: '/v1/open/:slug', methods: ['GET'], public: true, rateLimit: 2, handler: open },
  ];
  const app = createApiApp({ extensions: testExtensions });
  // With the edge limiter, the public route's own limit (2) needs a binding the project's config does not have.
  const testEnv = envWithEdgeLimits([2]);
  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const ctx = createExecutionContext();
    const response = await app.request(`${base}${path}`, init, testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  it('hands the handler its path parameters, decoded and typed', async () => {
    const userId = newUserId();
    const response = await request('/v1/invoices/inv%2042/lines/7', { headers: await bearer({ sub: userId, roles: ['billing'] }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'inv 42', line: '7', userId });
  });

  it('answers its path only: below it is 404, another method 405, a missing role 403', async () => {
    const headers = await bearer({ sub: newUserId(), roles: ['billing'] });
    expect((await request('/v1/invoices/1/lines/2/more', { headers })).status).toBe(404);
    const wrong = await request('/v1/invoices/1/lines/2', { method: 'DELETE', headers });
    expect([wrong.status, wrong.headers.get('Allow')]).toEqual([405, 'GET, PATCH, HEAD, OPTIONS']);
    const outsider = await request('/v1/invoices/1/lines/2', { headers: await bearer({ sub: newUserId(), roles: ['member'] }) });
    expect(outsider.status).toBe(403);
  });

  it('limits a public route per client IP with its own budget', async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request('/v1/open/a', { headers: { 'CF-Connecting-IP': ip } })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('the app mounts the table', () => {
  it('mounts exactly the method and path pairs openapi.json lists for the api Worker', () => {
    const app = createApiApp({ extensions });
    // A `prefix` route (from before route tables) also answers below its path: `<path>/*`, documented as its path.
    const mounted = app.routes.filter((route) => route.method !== 'ALL' && !route.path.endsWith('/*'));
    // The routes of a feature that is off stay mounted (they answer 404) and are not documented.
    const off = new Set(pairs(shipped.filter((route) => route.feature !== undefined && !featureEnabled(env, route.feature))));
    expect(pairs(mounted).filter((pair) => !off.has(pair))).toEqual(pairs(documented));
    expect(documented.length).toBeGreaterThan(10);
  });

  it('registers exactly the methods and paths of the table (and the 405 answers of those paths)', () => {
    const app = createApiApp({ extensions });
    // Less what a `prefix` route (from before route tables) answers below its path, `<path>/*`.
    const routes = app.routes.filter((route) => !route.path.endsWith('/*') && route.path !== '*');
    const mounted = routes.filter((route) => route.method !== 'ALL');
    expect(pairs(mounted)).toEqual(pairs(shipped));
    const refusing = new Set(routes.filter((route) => route.method === 'ALL').map((route) => route.path));
    expect([...refusing].sort()).toEqual([...new Set(shipped.map((route) => route.path))].sort());
  });
});
