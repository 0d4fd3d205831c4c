import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { answersFromManifest, renderManifest, renderManifestJsonSchema } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';
import { renderExtensionRegistry } from './extension-registry.js';

describe('manifest', () => {
  it('round-trips through its text', () => {
    const manifest = manifestFromAnswers(defaultAnswers('shop'));
    expect(parseManifest(renderManifest(manifest))).toEqual({ ok: true, manifest });
  });

  it('names the bad field', () => {
    const manifest = { ...manifestFromAnswers(defaultAnswers('shop')), workers: ['gateway'] };
    const result = parseManifest(JSON.stringify(manifest));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^appshell\.json: workers\.0 /);
    expect(parseManifest('{not json')).toMatchObject({ ok: false });
  });

  it('publishes a JSON Schema that describes every field', () => {
    const schema = JSON.parse(renderManifestJsonSchema());
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'workers', 'configFormat', 'identity', 'session', 'environments', 'origins', 'routes', 'actions']),
    );
    expect(schema.properties.workers.items.enum).toEqual(['auth-shim', 'api', 'sender', 'receiver']);
  });
});

describe('migrateManifest', () => {
  it('keeps the routes of a version 2 file working: their handlers are fetch-style, answering below their path too', () => {
    const current = manifestFromAnswers(defaultAnswers('shop'));
    const { handlerStyle: _none, ...route } = { ...current.routes[0]!, handlerStyle: undefined };
    const parsed = parseManifest(JSON.stringify({ ...current, schemaVersion: 2, routes: [route] }));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.migratedFrom).toBe(2);
    expect(parsed.manifest.routes[0]).toMatchObject({ path: '/v1/hello', handlerStyle: 'fetch' });
    expect(renderExtensionRegistry(parsed.manifest.routes)).toContain("{ prefix: '/v1/hello', methods: ['GET'],");
    // A file of the current version is read as it is: new routes are Hono handlers on their path.
    const fresh = parseManifest(renderManifest(current));
    expect(fresh.ok && fresh.manifest.routes[0]!.handlerStyle).toBe(undefined);
    expect(fresh.ok && renderExtensionRegistry(fresh.manifest.routes)).toContain("{ path: '/v1/hello', methods: ['GET'],");
  });

  it('keeps the default budget and every route budget within the bounds of the schema alone', () => {
    const current = manifestFromAnswers(defaultAnswers('shop'));
    expect(current.rateLimitPerMinute).toBe(100);
    for (const [value, ok] of [
      [1, true],
      [100_000, true],
      [0, false],
      [100_001, false],
      [1.5, false],
    ] as const) {
      expect(parseManifest(JSON.stringify({ ...current, rateLimitPerMinute: value })).ok, `rateLimitPerMinute ${value}`).toBe(ok);
      const routes = [{ ...current.routes[0]!, rateLimit: value }];
      expect(parseManifest(JSON.stringify({ ...current, routes })).ok, `rateLimit ${value}`).toBe(ok);
    }
  });
});

describe('answersFromManifest', () => {
  it('gives back the answers a manifest was made from (all but install and git), so a re-run keeps them', () => {
    const answers = {
      ...defaultAnswers('shop'),
      accountId: 'e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1',
      instantAppId: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      origins: ['https://app.example.com'],
      devOrigins: ['http://localhost:5173'],
      features: ['ai' as const],
      jwtAlg: 'EdDSA' as const,
    };
    const { install: _install, git: _git, ...rest } = answers;
    expect(answersFromManifest(manifestFromAnswers(answers))).toEqual(rest);
  });

  it('leaves out an account and identity app that were never given', () => {
    const back = answersFromManifest(manifestFromAnswers(defaultAnswers('shop')));
    expect(back).not.toHaveProperty('accountId');
    expect(back).not.toHaveProperty('instantAppId');
    expect(back.origins).toEqual([]);
  });
});
