// appshell.json `rateLimiter`: exact (the RateLimiter Durable Object) or edge (Workers Rate Limiting bindings).
import { beforeAll, describe, expect, it } from 'vitest';
import { planAddRoute } from './add-route.js';
import { defaultAnswers, validateAnswers } from './answers.js';
import { planInitWorker } from './init-worker.js';
import { memoryTree } from './plan.js';
import { loadTemplates, type TemplateSource } from './template-source.js';
import { renderManifest, type ProjectManifest } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';
import { buildWranglerConfig, rateLimitNamespaceId, renderWranglerConfig } from './wrangler-config.js';
import { parseWranglerConfig } from './wrangler-config-read.js';

function manifest(overrides: Partial<ProjectManifest> = {}): ProjectManifest {
  return { ...manifestFromAnswers({ ...defaultAnswers('shop'), rateLimiter: overrides.rateLimiter ?? 'exact' }), ...overrides };
}

describe('rateLimiter answer', () => {
  it('defaults to exact and accepts edge', () => {
    expect(defaultAnswers('shop').rateLimiter).toBe('exact');
    expect(validateAnswers({ ...defaultAnswers('shop'), rateLimiter: 'edge' })).toMatchObject({ ok: true, value: { rateLimiter: 'edge' } });
  });

  it('names the flag and the allowed values on a bad one', () => {
    expect(validateAnswers({ ...defaultAnswers('shop'), rateLimiter: 'fast' })).toEqual({
      ok: false,
      field: '--rate-limiter',
      message: '--rate-limiter: must be one of exact, edge',
    });
  });

  it('is recorded in appshell.json, and a manifest written before it reads as exact', () => {
    const edge = manifestFromAnswers({ ...defaultAnswers('shop'), rateLimiter: 'edge' });
    expect(edge.rateLimiter).toBe('edge');
    expect(parseManifest(renderManifest(edge))).toEqual({ ok: true, manifest: edge });
    const { rateLimiter: _dropped, ...older } = manifestFromAnswers(defaultAnswers('shop'));
    expect(parseManifest(JSON.stringify(older))).toMatchObject({ ok: true, manifest: { rateLimiter: 'exact' } });
  });
});

describe('api wrangler config per rateLimiter', () => {
  it('exact: the RateLimiter Durable Object with its migration, no ratelimits', () => {
    const config = buildWranglerConfig(manifest(), 'api');
    expect(config.vars?.RATE_LIMITER_MODE).toBe('exact');
    expect(config.durable_objects?.bindings).toEqual([{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }]);
    expect(config.migrations).toEqual([{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }]);
    expect(config.ratelimits).toBeUndefined();
    expect(config.env?.production?.ratelimits).toBeUndefined();
  });

  it('edge: one binding per distinct limit (default and each route rateLimit) everywhere, no Durable Object', () => {
    const routes = [
      { path: '/v1/a', methods: ['GET' as const], public: false, roles: [], rateLimit: 30, handler: 'a' },
      { path: '/v1/b', methods: ['GET' as const], public: true, roles: [], rateLimit: 30, handler: 'b' },
      { path: '/v1/c', methods: ['GET' as const], public: false, roles: [], handler: 'c' },
    ];
    const config = buildWranglerConfig(manifest({ rateLimiter: 'edge', routes }), 'api');
    expect(config.vars?.RATE_LIMITER_MODE).toBe('edge');
    // A fresh edge project has no Durable Object in the api Worker, so no migration either.
    expect(config.durable_objects).toBeUndefined();
    expect(config.migrations).toBeUndefined();
    for (const block of [config, config.env!.staging!, config.env!.production!]) {
      expect(block.ratelimits?.map(({ name, simple }) => ({ name, simple }))).toEqual([
        { name: 'RATE_LIMIT_EDGE_30', simple: { limit: 30, period: 60 } },
        { name: 'RATE_LIMIT_EDGE_100', simple: { limit: 100, period: 60 } },
      ]);
      expect(block.vars?.RATE_LIMITER_MODE).toBe('edge');
    }
    // Each environment counts in its own namespaces: staging traffic never spends production's budget.
    const ids = [config, config.env!.staging!, config.env!.production!].flatMap((block) => block.ratelimits!.map((r) => r.namespace_id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{3,9}$/);
  });

  it('derives namespace ids from the names alone (stable across runs, apart between projects)', () => {
    expect(rateLimitNamespaceId('shop', 'production', 'RATE_LIMIT_EDGE_100')).toBe(
      rateLimitNamespaceId('shop', 'production', 'RATE_LIMIT_EDGE_100'),
    );
    expect(rateLimitNamespaceId('shop', 'production', 'RATE_LIMIT_EDGE_100')).not.toBe(
      rateLimitNamespaceId('cart', 'production', 'RATE_LIMIT_EDGE_100'),
    );
  });

  it('writes ratelimits the same in jsonc and toml', () => {
    const config = buildWranglerConfig(manifest({ rateLimiter: 'edge' }), 'api');
    for (const format of ['jsonc', 'toml'] as const) {
      expect(parseWranglerConfig(renderWranglerConfig(config, format), format).env?.production?.ratelimits).toEqual(
        config.env?.production?.ratelimits,
      );
    }
  });

  it("leaves the auth shim's own brute-force limiter alone", () => {
    const config = buildWranglerConfig(manifest({ rateLimiter: 'edge' }), 'auth-shim');
    expect(config.durable_objects?.bindings).toEqual([{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }]);
    expect(config.ratelimits).toBeUndefined();
  });
});

describe('add-route in a project with the edge limiter', () => {
  let source: TemplateSource;
  beforeAll(async () => {
    source = await loadTemplates();
  });

  function project(rateLimiter: 'exact' | 'edge'): Record<string, string> {
    const init = planInitWorker({
      answers: { ...defaultAnswers('shop'), rateLimiter },
      root: '/virtual/shop',
      tree: memoryTree(),
      newProject: true,
      source,
      force: false,
    });
    return Object.fromEntries(init.files.map((file) => [file.path, file.content]));
  }

  function addRoute(files: Record<string, string>, rateLimit: number) {
    const parsed = parseManifest(files['appshell.json']!);
    if (!parsed.ok) throw new Error(parsed.message);
    const request = { path: '/v1/invoices', methods: ['GET' as const], public: false, roles: [], rateLimit };
    const plan = planAddRoute({ request, manifest: parsed.manifest, tree: memoryTree({ ...files }), source, force: false });
    if (!plan.ok) throw new Error('refused');
    return plan.files;
  }

  it("adds the binding for a route's own rateLimit to the api config", () => {
    const files = addRoute(project('edge'), 30);
    const config = files.find((file) => file.path === 'workers/api/wrangler.jsonc');
    expect(config?.action).toBe('update');
    const parsed = parseWranglerConfig(config!.content, 'jsonc');
    expect(parsed.env?.production?.ratelimits?.map((r) => r.name)).toEqual(['RATE_LIMIT_EDGE_30', 'RATE_LIMIT_EDGE_100']);
  });

  it('leaves the config alone with the exact limiter, and for a limit already bound', () => {
    expect(addRoute(project('exact'), 30).some((file) => file.path === 'workers/api/wrangler.jsonc')).toBe(false);
    const config = addRoute(project('edge'), 100).find((file) => file.path === 'workers/api/wrangler.jsonc');
    expect(config === undefined || config.action === 'unchanged').toBe(true);
  });
});
