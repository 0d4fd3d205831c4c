import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { manifestFromAnswers, parseManifest, renderManifest, renderManifestJsonSchema } from './manifest.js';

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
