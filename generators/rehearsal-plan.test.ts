import { describe, expect, it } from 'vitest';
import { defaultAnswers, type InitAnswers } from './answers.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { planRehearsal } from './rehearsal-plan.js';

const manifest = (overrides: Partial<InitAnswers> = {}) => manifestFromAnswers({ ...defaultAnswers('shop'), ...overrides });

describe('planRehearsal', () => {
  it('plans the smoke flow of a default project after every health check, with resolved Worker names', () => {
    const planned = planRehearsal(manifest(), { env: 'staging' });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan.scripts.api).toBe('shop-api-staging');
    expect(planned.plan.smoke.map((step) => step.name)).toEqual([
      'auth-shim health',
      'api health',
      'sender health',
      'receiver health',
      'session from the auth shim',
      'authenticated API call',
      'upload',
      'download',
      'signed sender → receiver action',
    ]);
    expect(planned.plan.skipped).toEqual([]);
    expect(planned.plan.smoke.find((step) => step.capturesSession)?.body).toBe('{"refresh_token":"dev-user:rehearsal"}');
  });

  it('holds the KV namespaces appshell.json records for the environment, as the real account does', () => {
    const recorded = { ...manifest(), kvNamespaces: { staging: { ROLES: 'a'.repeat(32) }, production: { ROLES: 'b'.repeat(32) } } };
    const planned = planRehearsal(recorded, { env: 'staging' });
    expect(planned.ok && planned.plan.kvNamespaces).toEqual([{ id: 'a'.repeat(32), title: 'shop-roles-staging' }]);
    const none = planRehearsal(manifest(), { env: 'staging' });
    expect(none.ok && none.plan.kvNamespaces).toEqual([]);
  });

  it('asks Supabase for an access token, and skips steps whose Workers the project lacks', () => {
    const supabase = planRehearsal(manifest({ identity: 'supabase' }), { env: 'production' });
    expect(supabase.ok && supabase.plan.smoke.find((step) => step.capturesSession)?.body).toBe('{"access_token":"dev-user:rehearsal"}');
    const pair = planRehearsal(manifest({ workers: ['sender', 'receiver'] }), { env: 'staging' });
    expect(pair.ok && pair.plan.smoke.map((step) => step.name)).toEqual(['sender health', 'receiver health']);
    expect(pair.ok && pair.plan.skipped.map((entry) => entry.needs)).toEqual(['auth-shim', 'api', 'api', 'api', 'auth-shim']);
  });

  it('refuses flags a rehearsal cannot honour, naming them', () => {
    expect(planRehearsal(manifest(), {})).toMatchObject({ ok: false, field: '--env' });
    expect(planRehearsal(manifest(), { env: 'prod' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/'prod' is not an environment/),
    });
    expect(planRehearsal(manifest(), { env: 'staging', only: 'api' })).toMatchObject({ ok: false, field: '--only' });
    expect(planRehearsal(manifest(), { env: 'staging', dryRun: true })).toMatchObject({ ok: false, field: '--dry-run' });
  });
});
