import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { defaultAnswers, type InitAnswers } from './answers.js';
import { boundKvNamespaceId, kvNamespaceTitle, readKvNamespaceList, sharedKvNamespaces, withKvNamespaceIds } from './kv-namespaces.js';
import { renderManifest } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';
import { buildWranglerConfig, renderWranglerConfig, type WranglerConfig } from './wrangler-config.js';

const manifest = (overrides: Partial<InitAnswers> = {}) => manifestFromAnswers({ ...defaultAnswers('shop'), ...overrides });
const id = '0123456789abcdef0123456789abcdef';

describe('sharedKvNamespaces', () => {
  it('finds API_KEYS, bound by the api and the receiver, and nothing a single Worker binds', () => {
    expect(sharedKvNamespaces(manifest())).toEqual([{ binding: 'API_KEYS', workers: ['api', 'receiver'] }]);
    expect(sharedKvNamespaces(manifest({ features: ['ai'] })).map((shared) => shared.binding)).toEqual(['API_KEYS']);
  });

  it('is empty when only one holder is in the project', () => {
    expect(sharedKvNamespaces(manifest({ workers: ['api', 'auth-shim'] }))).toEqual([]);
    expect(sharedKvNamespaces(manifest({ workers: ['sender', 'receiver'] }))).toEqual([]);
  });
});

describe('kvNamespaceTitle', () => {
  it('names the namespace after the project, the binding and the environment', () => {
    expect(kvNamespaceTitle('shop', 'API_KEYS', 'production')).toBe('shop-api-keys-production');
  });
});

describe('readKvNamespaceList', () => {
  it("reads wrangler's JSON list and ignores entries without id or title", () => {
    const stdout = JSON.stringify([{ id, title: 'shop-api-keys-staging', supports_url_encoding: true }, { title: 'odd' }], null, '  ');
    expect(readKvNamespaceList(stdout)).toEqual([{ id, title: 'shop-api-keys-staging', supports_url_encoding: true }]);
    expect(readKvNamespaceList('[]')).toEqual([]);
  });

  it('returns null for anything that is not a JSON array', () => {
    expect(readKvNamespaceList('You are not authenticated.')).toBeNull();
    expect(readKvNamespaceList('{"id": 1}')).toBeNull();
    expect(readKvNamespaceList('[{"id": ')).toBeNull();
  });
});

describe('ids in the manifest and the wrangler configs', () => {
  const withId = withKvNamespaceIds(manifest(), 'production', { API_KEYS: id });

  it('records ids per environment and keeps them through a render and a parse', () => {
    expect(withId.kvNamespaces).toEqual({ production: { API_KEYS: id } });
    expect(withKvNamespaceIds(withId, 'staging', {})).toBe(withId);
    const parsed = parseManifest(renderManifest(withId));
    expect(parsed.ok && parsed.manifest.kvNamespaces).toEqual({ production: { API_KEYS: id } });
  });

  it('refuses an id that is not 32 hex digits, naming the field', () => {
    const parsed = parseManifest(renderManifest({ ...withId, kvNamespaces: { production: { API_KEYS: 'nope' } } }));
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining('kvNamespaces.production.API_KEYS') });
  });

  it('writes the id into that environment only, for every holder, in jsonc and toml', () => {
    for (const worker of ['api', 'receiver'] as const) {
      const config = buildWranglerConfig(withId, worker);
      expect(boundKvNamespaceId(config, 'production', 'API_KEYS')).toBe(id);
      expect(boundKvNamespaceId(config, 'staging', 'API_KEYS')).toBeUndefined();
      // Local development keeps KV by binding name.
      expect(config.kv_namespaces?.every((entry) => entry.id === undefined)).toBe(true);
      const toml = parseToml(renderWranglerConfig(config, 'toml')) as unknown as WranglerConfig;
      expect(boundKvNamespaceId(toml, 'production', 'API_KEYS')).toBe(id);
    }
    expect(buildWranglerConfig(withId, 'api').env?.production?.kv_namespaces?.find((entry) => entry.binding === 'PROJECTS')).toEqual({
      binding: 'PROJECTS',
    });
  });
});
