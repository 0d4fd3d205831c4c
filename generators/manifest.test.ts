import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { answersFromManifest, renderManifest, renderManifestJsonSchema } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';

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
