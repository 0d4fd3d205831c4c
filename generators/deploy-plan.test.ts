import { describe, expect, it } from 'vitest';
import { defaultAnswers, type InitAnswers } from './answers.js';
import {
  checkBundleSize,
  deployArguments,
  deployOrder,
  describeWranglerFailure,
  planDeploy,
  readDeployOutput,
  readWranglerFailure,
} from './deploy-plan.js';
import { manifestFromAnswers } from './manifest-defaults.js';

const manifest = (overrides: Partial<InitAnswers> = {}) => manifestFromAnswers({ ...defaultAnswers('shop'), ...overrides });

describe('deployOrder', () => {
  it('deploys the receiver before the sender', () => {
    const result = deployOrder(manifest());
    expect(result.ok).toBe(true);
    const order = result.ok ? result.order : [];
    expect(order.indexOf('receiver')).toBeLessThan(order.indexOf('sender'));
  });

  it('deploys the auth shim before the api when the api binds it for EdDSA keys', () => {
    const result = deployOrder(manifest({ jwtAlg: 'EdDSA' }));
    const order = result.ok ? result.order : [];
    expect(order.indexOf('auth-shim')).toBeLessThan(order.indexOf('api'));
  });

  it('keeps the manifest order among independent Workers', () => {
    const result = deployOrder(manifest({ workers: ['api', 'receiver'] }));
    expect(result).toEqual({ ok: true, order: ['api', 'receiver'] });
  });
});

describe('planDeploy', () => {
  it('resolves every Worker name for the environment', () => {
    const result = planDeploy(manifest(), { env: 'staging' });
    expect(result.ok && result.steps.map((step) => step.scriptName)).toEqual(
      expect.arrayContaining(['shop-auth-shim-staging', 'shop-api-staging', 'shop-sender-staging', 'shop-receiver-staging']),
    );
    expect(result.ok && result.steps.find((step) => step.worker === 'sender')?.dependsOn).toEqual(['receiver']);
  });

  it('limits the plan to --only, in dependency order', () => {
    const result = planDeploy(manifest(), { env: 'production', only: ['sender', 'receiver'] });
    expect(result.ok && result.steps.map((step) => step.worker)).toEqual(['receiver', 'sender']);
  });

  it('uses the toml config when the project does', () => {
    const result = planDeploy(manifest({ configFormat: 'toml' }), { env: 'production', only: ['api'] });
    expect(result.ok && result.steps[0]?.configPath).toBe('workers/api/wrangler.toml');
  });

  it.each([
    [{ env: 'prod' }, /--env: 'prod' is not an environment/],
    [{}, /--env is required; allowed: staging, production/],
    [{ env: 'staging', only: ['gateway'] }, /--only: 'gateway' is not a Worker/],
  ])('refuses %j', (options, message) => {
    const result = planDeploy(manifest(), options);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});

describe('deployArguments', () => {
  const step = { worker: 'api' as const, scriptName: 'shop-api-staging', configPath: 'workers/api/wrangler.jsonc', dependsOn: [] };
  it('passes the config and the environment', () => {
    expect(deployArguments(step, { env: 'staging' })).toEqual(['deploy', '--config', 'workers/api/wrangler.jsonc', '--env', 'staging']);
  });
  it('bundles without uploading for a dry run', () => {
    expect(deployArguments(step, { env: 'staging', outdir: '/tmp/x' })).toEqual([
      'deploy',
      '--config',
      'workers/api/wrangler.jsonc',
      '--env',
      'staging',
      '--dry-run',
      '--outdir',
      '/tmp/x',
    ]);
  });
  it('hands a first deploy its secrets as a file, never as values, and none to a dry run', () => {
    expect(deployArguments(step, { env: 'staging', secretsFile: '/tmp/s/api.secrets.json' })).toEqual([
      'deploy',
      '--config',
      'workers/api/wrangler.jsonc',
      '--env',
      'staging',
      '--secrets-file',
      '/tmp/s/api.secrets.json',
    ]);
    expect(deployArguments(step, { env: 'staging', outdir: '/tmp/x', secretsFile: '/tmp/s/api.secrets.json' })).not.toContain(
      '--secrets-file',
    );
  });
});

describe('checkBundleSize', () => {
  it('applies the plan limit to the gzip size', () => {
    expect(checkBundleSize({ rawBytes: 9e6, gzipBytes: 2.9 * 1024 * 1024 }, 'free')).toEqual({ ok: true });
    expect(checkBundleSize({ rawBytes: 9e6, gzipBytes: 3.1 * 1024 * 1024 }, 'free')).toMatchObject({ ok: false });
    expect(checkBundleSize({ rawBytes: 9e6, gzipBytes: 3.1 * 1024 * 1024 }, 'paid')).toEqual({ ok: true });
    expect(checkBundleSize({ rawBytes: 30e6, gzipBytes: 10.5 * 1024 * 1024 }, 'paid')).toMatchObject({ ok: false });
  });
});

describe('readDeployOutput', () => {
  it('reads the deploy entry of the ND-JSON file and ignores a torn line', () => {
    const text = [
      JSON.stringify({ type: 'wrangler-session', version: 1 }),
      JSON.stringify({
        type: 'deploy',
        version: 1,
        worker_name: 'shop-api-staging',
        version_id: 'v1',
        targets: ['https://shop-api-staging.x.workers.dev'],
      }),
      '{"type":"depl',
    ].join('\n');
    expect(readDeployOutput(text)).toEqual({ url: 'https://shop-api-staging.x.workers.dev', versionId: 'v1' });
  });
});

describe('readWranglerFailure', () => {
  const console10143 = [
    '\x1b[31m✘ [ERROR] A request to the Cloudflare API (/accounts/x/workers/scripts/shop-sender-staging) failed.\x1b[0m',
    '',
    "  Could not resolve service binding 'RECEIVER'. Target script 'shop-receiver-staging' not found. [code: 10143]",
    '',
  ].join('\n');

  it("reads Cloudflare's code from the command-failed entry and the refusal from the console", () => {
    const file = JSON.stringify({ type: 'command-failed', version: 1, code: 10143, message: 'A request to the Cloudflare API failed.' });
    const failure = readWranglerFailure(file, console10143);
    expect(failure).toEqual({
      code: 10143,
      message: "Could not resolve service binding 'RECEIVER'. Target script 'shop-receiver-staging' not found.",
    });
    expect(describeWranglerFailure('shop-sender-staging', failure)).toMatch(
      /^Cloudflare refused shop-sender-staging \(code 10143\): Could not resolve/,
    );
  });

  it('falls back to the console, then to the last error line', () => {
    expect(readWranglerFailure('', console10143).code).toBe(10143);
    expect(readWranglerFailure('', '✘ [ERROR] Missing entry-point\n')).toEqual({ message: 'Missing entry-point' });
    expect(describeWranglerFailure('w', { message: 'Missing entry-point' })).toBe('w: Missing entry-point');
  });
});
