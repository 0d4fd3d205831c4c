import { beforeAll, describe, expect, it } from 'vitest';
import { defaultAnswers, type InitAnswers } from './answers.js';
import { planConfigSet } from './config-set.js';
import { checkDeployReadiness } from './deploy-readiness.js';
import { scaffoldInMemory } from './memory-scaffold.js';
import type { ProjectManifest } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { memoryTree, type PlannedFile } from './plan.js';
import { loadTemplates, type TemplateSource } from './template-source.js';
import { parseWranglerConfig } from './wrangler-config-read.js';
import { buildWranglerConfig, renderWranglerConfig, workerConfigPath } from './wrangler-config.js';

let source: TemplateSource;
beforeAll(async () => {
  source = await loadTemplates();
});

const scaffold = (overrides: Partial<InitAnswers> = {}) => scaffoldInMemory(source, overrides);

/** The configs alone, rendered from a manifest. */
function project(manifest: ProjectManifest): Record<string, string> {
  const files: Record<string, string> = {};
  for (const worker of manifest.workers)
    files[workerConfigPath(manifest, worker)] = renderWranglerConfig(buildWranglerConfig(manifest, worker), manifest.configFormat);
  return files;
}

const fromYes = () => manifestFromAnswers(defaultAnswers('shop'));
const readiness = (manifest: ProjectManifest, files: Record<string, string> = project(manifest)) =>
  checkDeployReadiness(manifest, 'production', manifest.workers, (worker) =>
    parseWranglerConfig(files[workerConfigPath(manifest, worker)]!, manifest.configFormat),
  );
const content = (files: PlannedFile[], path: string) => files.find((file) => file.path === path)?.content ?? '';

describe('checkDeployReadiness', () => {
  it('names every value an --yes project leaves empty, with the command that sets it', () => {
    const problems = readiness(fromYes());
    expect(problems.map((problem) => `${problem.worker} ${problem.name}`)).toEqual([
      'auth-shim account_id',
      'auth-shim INSTANT_APP_ID',
      'api R2_ACCOUNT_ID',
    ]);
    expect(problems[0]!.message).toMatch(
      /^no Cloudflare account is named in workers\/auth-shim\/wrangler\.jsonc, workers\/api\/wrangler\.jsonc, .* and CLOUDFLARE_ACCOUNT_ID is not set/,
    );
    expect(problems[1]!.message).toBe(
      'INSTANT_APP_ID is empty in workers/auth-shim/wrangler.jsonc (env production): the InstantDB app whose users sign in',
    );
    expect(problems[1]!.fix).toBe('npx appshell config set identity.instantAppId <value>');
    // CLOUDFLARE_ACCOUNT_ID names the account for wrangler (CI); the api still needs it for presigned URLs.
    const fromEnvironment = checkDeployReadiness(
      fromYes(),
      'production',
      fromYes().workers,
      (worker) => parseWranglerConfig(project(fromYes())[workerConfigPath(fromYes(), worker)]!, 'jsonc'),
      { accountFromEnvironment: true },
    );
    expect(fromEnvironment.map((problem) => problem.name)).toEqual(['INSTANT_APP_ID', 'R2_ACCOUNT_ID']);
  });

  it('asks for the Cloudflare account when a feature calls it, and for the Supabase URL with Supabase', () => {
    const manifest = manifestFromAnswers({ ...defaultAnswers('shop'), identity: 'supabase', features: ['ai'] });
    expect(readiness(manifest).map((problem) => problem.name)).toEqual(['account_id', 'SUPABASE_URL', 'R2_ACCOUNT_ID', 'CF_ACCOUNT_ID']);
  });

  it('refuses a development origin in a deployed environment, even one written into the config by hand', () => {
    const manifest = manifestFromAnswers({
      ...defaultAnswers('shop'),
      accountId: '0123456789abcdef0123456789abcdef',
      instantAppId: '6a2f0f0e-8f4b-4f7e-9d7c-2b1f3a4c5d6e',
    });
    expect(readiness(manifest)).toEqual([]);
    const edited = buildWranglerConfig(manifest, 'api');
    edited.env!.production!.vars!.ALLOWED_ORIGINS = 'https://app.example.com,http://localhost:3000';
    const files = { ...project(manifest), 'workers/api/wrangler.jsonc': renderWranglerConfig(edited, 'jsonc') };
    const problems = readiness(manifest, files);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ worker: 'api', name: 'ALLOWED_ORIGINS' });
    expect(problems[0]!.message).toContain('allows http://localhost:3000');
    // Local development keeps its localhost origin: that is what it is for.
    expect(
      checkDeployReadiness(manifest, 'staging', ['api'], () =>
        parseWranglerConfig(project(manifest)['workers/api/wrangler.jsonc']!, 'jsonc'),
      ),
    ).toEqual([]);
  });
});

describe('planConfigSet', () => {
  it('sets a value in appshell.json and in every config that carries it, then the project is ready', () => {
    const { manifest, files } = scaffold();
    const tree = memoryTree(files);
    const account = planConfigSet({ manifest, field: 'accountId', value: '0123456789abcdef0123456789abcdef', tree, force: false });
    expect(account.ok).toBe(true);
    if (!account.ok) return;
    expect(account.files.filter((file) => file.action === 'update').map((file) => file.path)).toEqual(
      expect.arrayContaining(['appshell.json', 'workers/api/wrangler.jsonc', 'workers/auth-shim/wrangler.jsonc']),
    );
    expect(content(account.files, 'workers/api/wrangler.jsonc')).toContain('"R2_ACCOUNT_ID": "0123456789abcdef0123456789abcdef"');
    const origins = planConfigSet({
      manifest: account.manifest,
      field: 'origins.production',
      value: 'https://app.example.com, https://www.example.com',
      tree,
      force: false,
    });
    expect(origins.ok && origins.manifest.origins.production).toEqual(['https://app.example.com', 'https://www.example.com']);
    expect(origins.ok && origins.manifest.origins.staging).toEqual([]);
    const applied = { ...files, ...Object.fromEntries(account.files.map((file) => [file.path, file.content])) };
    const instant = planConfigSet({
      manifest: account.manifest,
      field: 'identity.instantAppId',
      value: '6a2f0f0e-8f4b-4f7e-9d7c-2b1f3a4c5d6e',
      tree: memoryTree(applied),
      force: false,
    });
    expect(instant.ok).toBe(true);
    if (!instant.ok) return;
    const ready = { ...applied, ...Object.fromEntries(instant.files.map((file) => [file.path, file.content])) };
    expect(readiness(instant.manifest, ready)).toEqual([]);
  });

  it.each([
    ['accountId', 'xyz', /^accountId: /],
    ['identity.supabaseUrl', 'https://abcd.supabase.co', /^identity\.supabaseUrl: this project signs users in with instant/],
    ['origins.production', 'http://localhost:3000', /^origins\.production: 'http:\/\/localhost:3000' is a development origin/],
    ['origins.prod', 'https://app.example.com', /^origins\.prod: no environment 'prod'; allowed: dev, staging, production/],
    ['origins.staging', '*', /^origins\.staging: '\*' is a wildcard/],
    ['bucket', 'x', /^<field>: 'bucket' cannot be set here; allowed: accountId, identity\.instantAppId/],
  ])('refuses %s = %s, naming the field', (field, value, message) => {
    const manifest = fromYes();
    const result = planConfigSet({ manifest, field, value, tree: memoryTree(project(manifest)), force: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('changes nothing when the value is already set, and leaves a config the team edited alone unless forced', () => {
    const { manifest, files } = scaffold();
    const same = planConfigSet({ manifest, field: 'origins.dev', value: 'http://localhost:3000', tree: memoryTree(files), force: false });
    expect(same.ok && same.unchanged).toBe(true);
    const edited = { ...files, 'workers/api/wrangler.jsonc': `${files['workers/api/wrangler.jsonc']}// ours\n` };
    const plan = planConfigSet({ manifest, field: 'origins.dev', value: 'http://localhost:5173', tree: memoryTree(edited), force: false });
    expect(plan.ok && plan.files.find((file) => file.path === 'workers/api/wrangler.jsonc')?.action).toBe('conflict');
    const forced = planConfigSet({ manifest, field: 'origins.dev', value: 'http://localhost:5173', tree: memoryTree(edited), force: true });
    expect(forced.ok && forced.files.find((file) => file.path === 'workers/api/wrangler.jsonc')?.action).toBe('update');
  });
});
