import { describe, expect, it } from 'vitest';
import type { WorkerName } from './answers.js';
import { defaultAnswers } from './answers.js';
import { manifestFromAnswers } from './manifest.js';
import { planPush, planSecrets, type RemoteState } from './secrets-plan.js';

const manifest = manifestFromAnswers({ ...defaultAnswers('shop'), identity: 'supabase' });
const exists = (...names: string[]): RemoteState => ({ kind: 'exists', names: new Set(names) });

describe('planSecrets', () => {
  it('resolves names per environment and tells set, missing and unknown apart', () => {
    const remote = new Map<WorkerName, RemoteState>([
      ['auth-shim', exists('SESSION_JWT_SECRET')],
      ['api', exists()],
      ['sender', { kind: 'not-deployed' }],
      ['receiver', { kind: 'unknown', why: 'not logged in' }],
    ]);
    const plan = planSecrets(manifest, 'staging', remote);
    const row = (worker: string, name: string) => plan.find((w) => w.worker === worker)!.secrets.find((s) => s.name === name)!;
    expect(plan.map((worker) => worker.scriptName)).toEqual(['shop-auth-shim-staging', 'shop-api-staging', 'shop-sender-staging', 'shop-receiver-staging']);
    expect(row('auth-shim', 'SESSION_JWT_SECRET')).toMatchObject({ status: 'set', source: 'generated', sharedGroup: 'session-jwt' });
    expect(row('auth-shim', 'SUPABASE_ANON_KEY')).toMatchObject({ status: 'missing', source: 'provided' });
    expect(row('api', 'SESSION_JWT_SECRET').status).toBe('missing');
    expect(row('receiver', 'SIGNING_SECRETS').status).toBe('unknown');
  });
});

describe('planPush', () => {
  it('gives a shared group one new value on every deployed member when any misses it', () => {
    const plan = planPush(
      planSecrets(manifest, 'production', new Map<WorkerName, RemoteState>([
        ['auth-shim', exists('SESSION_JWT_SECRET', 'SUPABASE_ANON_KEY')],
        ['api', exists()],
        ['sender', { kind: 'not-deployed' }],
        ['receiver', exists('SIGNING_SECRETS', 'SESSION_JWT_SECRET')],
      ])),
    );
    expect(plan.regeneratedGroups).toEqual(['session-jwt']);
    expect(plan.pushes.map((push) => [push.worker, push.names])).toEqual([
      ['auth-shim', ['SESSION_JWT_SECRET']],
      ['api', ['SESSION_JWT_SECRET']],
      ['receiver', ['SESSION_JWT_SECRET']],
    ]);
    expect(plan.notDeployed).toEqual(['sender']);
    expect(plan.providedNeeded).toEqual([]);
  });

  it('sends nothing when every deployed Worker has its secrets', () => {
    const all = exists('SESSION_JWT_SECRET', 'SUPABASE_ANON_KEY', 'SIGNING_SECRETS');
    const plan = planPush(planSecrets(manifest, 'staging', new Map(manifest.workers.map((worker) => [worker, all]))));
    expect(plan.pushes).toEqual([]);
  });

  it('asks for provided secrets that are missing', () => {
    const plan = planPush(planSecrets(manifest, 'staging', new Map<WorkerName, RemoteState>([['auth-shim', exists('SESSION_JWT_SECRET')]])));
    expect(plan.providedNeeded).toEqual(['SUPABASE_ANON_KEY']);
  });
});
