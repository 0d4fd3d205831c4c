import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { renderManifest } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';
import { extendLedger } from './migrations.js';
import { buildWranglerConfig } from './wrangler-config.js';

describe('the Durable Object migration ledger', () => {
  it('starts as v1 with every class, which is what every project before the ledger was deployed with', () => {
    const manifest = manifestFromAnswers(defaultAnswers('shop'));
    expect(manifest.migrations).toEqual({
      'auth-shim': [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }],
      api: [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }],
      receiver: [{ tag: 'v1', new_sqlite_classes: ['ReplayGuard'] }],
    });
    expect(buildWranglerConfig(manifest, 'api').migrations).toEqual([{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }]);
    expect(buildWranglerConfig(manifest, 'sender').migrations).toBeUndefined();
  });

  it('appends a new tag for a class added later and never rewrites an applied step', () => {
    const applied = [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }];
    expect(extendLedger(applied, ['RateLimiter', 'Jobs'])).toEqual([...applied, { tag: 'v2', new_sqlite_classes: ['Jobs'] }]);
    const twice = extendLedger(extendLedger(applied, ['RateLimiter', 'Jobs']), ['RateLimiter', 'Jobs', 'Rooms']);
    expect(twice).toEqual([...applied, { tag: 'v2', new_sqlite_classes: ['Jobs'] }, { tag: 'v3', new_sqlite_classes: ['Rooms'] }]);
    expect(extendLedger(twice, ['RateLimiter', 'Jobs', 'Rooms'])).toEqual(twice);
  });

  it('records a class the Worker no longer has as deleted, and takes the next free tag after the team’s own', () => {
    const steps = [
      { tag: 'v1', new_sqlite_classes: ['A', 'B'] },
      { tag: 'v2', new_sqlite_classes: ['C'] },
      { tag: 'v3-rename', deleted_classes: ['C'] },
    ];
    expect(extendLedger(steps, ['A'])).toEqual([...steps, { tag: 'v4', deleted_classes: ['B'] }]);
    expect(extendLedger([{ tag: 'v2', new_sqlite_classes: ['A'] }], ['A', 'B'])).toEqual([
      { tag: 'v2', new_sqlite_classes: ['A'] },
      { tag: 'v3', new_sqlite_classes: ['B'] },
    ]);
  });

  it('reads an appshell.json written before the ledger as v1, and keeps a recorded ledger as it is', () => {
    const current = JSON.parse(renderManifest(manifestFromAnswers(defaultAnswers('shop'))));
    delete current.migrations;
    const legacy = parseManifest(JSON.stringify(current));
    expect(legacy.ok && legacy.manifest.migrations.api).toEqual([{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }]);
    current.migrations = {
      api: [
        { tag: 'v1', new_sqlite_classes: ['RateLimiter'] },
        { tag: 'v2', new_sqlite_classes: ['Old'] },
      ],
    };
    const recorded = parseManifest(JSON.stringify(current));
    expect(recorded.ok && recorded.manifest.migrations.api).toEqual([
      { tag: 'v1', new_sqlite_classes: ['RateLimiter'] },
      { tag: 'v2', new_sqlite_classes: ['Old'] },
      { tag: 'v3', deleted_classes: ['Old'] },
    ]);
    expect(recorded.ok && buildWranglerConfig(recorded.manifest, 'api').migrations?.map((step) => step.tag)).toEqual(['v1', 'v2', 'v3']);
  });
});
