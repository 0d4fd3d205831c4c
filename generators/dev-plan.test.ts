import { describe, expect, it } from 'vitest';
import { defaultAnswers } from './answers.js';
import { devInstantAppId, localOverrideVars, planDev } from './dev-plan.js';
import { manifestFromAnswers } from './manifest-defaults.js';

const instant = manifestFromAnswers(defaultAnswers('shop'));
const supabase = manifestFromAnswers({ ...defaultAnswers('shop'), identity: 'supabase', supabaseUrl: 'https://abcd.supabase.co' });
const identityUrl = 'http://127.0.0.1:40000';

describe('localOverrideVars', () => {
  it('points only the auth shim at the identity stand-in', () => {
    expect(localOverrideVars(instant, 'auth-shim', identityUrl)).toEqual({ INSTANT_API_URI: identityUrl, INSTANT_APP_ID: devInstantAppId });
    expect(
      localOverrideVars({ ...instant, identity: { provider: 'instant', instantAppId: 'app-1' } }, 'auth-shim', identityUrl).INSTANT_APP_ID,
    ).toBe('app-1');
    expect(localOverrideVars(supabase, 'auth-shim', identityUrl)).toEqual({
      SUPABASE_URL: identityUrl,
      SUPABASE_ANON_KEY: 'appshell-dev-stand-in',
    });
    for (const worker of ['api', 'sender', 'receiver'] as const) expect(localOverrideVars(instant, worker, identityUrl)).toEqual({});
  });
});

describe('planDev', () => {
  it('runs every Worker on its fixed port with one shared state folder and its own inspector port', () => {
    const plan = planDev(instant, { root: '/p', identityUrl });
    expect(plan.runs.map((run) => [run.worker, run.dir, run.url])).toEqual([
      ['auth-shim', 'workers/auth-shim', 'http://127.0.0.1:8787'],
      ['api', 'workers/api', 'http://127.0.0.1:8788'],
      ['sender', 'workers/sender', 'http://127.0.0.1:8789'],
      ['receiver', 'workers/receiver', 'http://127.0.0.1:8790'],
    ]);
    expect(plan.runs[1]!.args).toEqual([
      'dev',
      '--config',
      'wrangler.jsonc',
      '--ip',
      '127.0.0.1',
      '--port',
      '8788',
      '--persist-to',
      '/p/.wrangler/state',
      '--inspector-port',
      '9231',
      '--show-interactive-dev-session=false',
    ]);
    expect(plan.runs[0]!.args.slice(-4)).toEqual(['--var', `INSTANT_API_URI:${identityUrl}`, '--var', `INSTANT_APP_ID:${devInstantAppId}`]);
  });

  it('names the config file of the project format', () => {
    expect(planDev({ ...instant, configFormat: 'toml' }, { root: '/p', identityUrl }).runs[0]!.args.slice(0, 3)).toEqual([
      'dev',
      '--config',
      'wrangler.toml',
    ]);
  });

  it('prints the walkthrough with the provider token field, or only the health hint without an auth shim and an API', () => {
    expect(planDev(instant, { root: '/p', identityUrl }).walkthrough.join('\n')).toContain('{"refresh_token":"dev-user:alice"}');
    expect(planDev(supabase, { root: '/p', identityUrl }).walkthrough.join('\n')).toContain('{"access_token":"dev-user:alice"}');
    expect(planDev({ ...instant, workers: ['sender', 'receiver'] }, { root: '/p', identityUrl }).walkthrough).toEqual([
      'Each Worker answers GET /health.',
    ]);
  });
});
