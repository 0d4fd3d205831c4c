import { validateWorkflow } from '@action-validator/core';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultAnswers, type InitAnswers } from './answers.js';
import { planInitWorker } from './init-worker.js';
import { parseManifest } from './manifest-read.js';
import { memoryTree, statePath, summarizePlan, type PlannedFile } from './plan.js';
import { loadTemplates, type TemplateSource } from './template-source.js';
import type { WranglerConfig } from './wrangler-config.js';
import { parseWranglerConfig } from './wrangler-config-read.js';

let source: TemplateSource;
beforeAll(async () => {
  source = await loadTemplates();
});

function plan(overrides: Partial<InitAnswers> = {}, files: Record<string, string> = {}, force = false) {
  return planInitWorker({
    answers: { ...defaultAnswers('shop'), ...overrides },
    root: '/virtual/shop',
    tree: memoryTree(files),
    newProject: Object.keys(files).length === 0,
    source,
    force,
  });
}

function file(files: PlannedFile[], path: string): PlannedFile {
  const found = files.find((entry) => entry.path === path);
  if (!found) throw new Error(`${path} is not in the plan: ${files.map((f) => f.path).join(', ')}`);
  return found;
}

function wrangler(files: PlannedFile[], worker: string, format: 'jsonc' | 'toml' = 'jsonc'): WranglerConfig {
  return parseWranglerConfig(file(files, `workers/${worker}/wrangler.${format}`).content, format);
}

/** What the disk holds after applying a plan. */
function written(files: PlannedFile[]): Record<string, string> {
  return Object.fromEntries(files.map((entry) => [entry.path, entry.content]));
}

describe('planInitWorker on an empty tree', () => {
  it('creates every file of the four Workers', () => {
    const { files } = plan();
    expect(files.every((entry) => entry.action === 'create')).toBe(true);
    for (const worker of ['auth-shim', 'api', 'sender', 'receiver']) {
      for (const name of [
        'wrangler.jsonc',
        'package.json',
        'tsconfig.json',
        '.dev.vars.example',
        'src/index.ts',
        'vitest.config.ts',
        'src/lib/app.ts',
      ]) {
        expect(files.map((entry) => entry.path)).toContain(`workers/${worker}/${name}`);
      }
    }
    expect(files.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(['appshell.json', 'appshell.schema.json', 'package.json', 'README.md', '.gitignore', statePath]),
    );
  });

  it('puts the answers where they belong', () => {
    const { files, manifest } = plan({
      accountId: '0123456789abcdef0123456789abcdef',
      bucket: 'shop-files',
      issuer: 'https://auth.shop.example',
      audience: 'shop-api',
      origins: ['https://shop.example', 'https://www.shop.example'],
      devOrigins: ['http://localhost:5173'],
      envs: ['preview', 'production'],
    });
    expect(parseManifest(file(files, 'appshell.json').content)).toEqual({ ok: true, manifest });
    const api = wrangler(files, 'api');
    expect(api.name).toBe('shop-api');
    expect(api.account_id).toBe('0123456789abcdef0123456789abcdef');
    // Local development (the top level) allows the dev origins, each deployed environment only the app's own.
    expect(api.vars?.ALLOWED_ORIGINS).toBe('http://localhost:5173');
    expect(api.env?.production?.vars?.ALLOWED_ORIGINS).toBe('https://shop.example,https://www.shop.example');
    expect(api.vars?.SESSION_JWT_ISSUER).toBe('https://auth.shop.example');
    expect(api.vars?.SESSION_JWT_AUDIENCE).toBe('shop-api');
    expect(api.r2_buckets).toEqual([{ binding: 'R2', bucket_name: 'shop-files' }]);
    expect(Object.keys(api.env ?? {})).toEqual(['preview', 'production']);
    expect(api.env?.production?.r2_buckets).toEqual([{ binding: 'R2', bucket_name: 'shop-files-production' }]);
    expect(api.env?.production?.vars?.R2_BUCKET).toBe('shop-files-production');
    const root = JSON.parse(file(files, 'package.json').content);
    expect(root.workspaces).toEqual(['workers/auth-shim', 'workers/api', 'workers/sender', 'workers/receiver']);
    expect(Object.keys(root.scripts)).toEqual(expect.arrayContaining(['dev', 'test', 'deploy', 'types', 'typecheck']));
    // The scripts run the appshell that wrote the project, pinned exactly (a published one by default).
    expect(root.scripts.dev).toBe('appshell dev');
    expect(root.scripts.deploy).toBe('appshell deploy');
    expect(root.devDependencies.appshell).toBe(JSON.parse(file(files, 'appshell.json').content).templateVersion);
    const apiPackage = JSON.parse(file(files, 'workers/api/package.json').content);
    expect(apiPackage.scripts.typecheck).toBe('node ../../scripts/types.mjs --check api && tsc --noEmit');
    expect(file(files, '.gitignore').content).toMatch(/^\.dev\.vars$/m);
    expect(file(files, '.gitignore').content).toMatch(/^\.wrangler\/$/m);
    expect(file(files, '.gitignore').content).toMatch(/^node_modules\/$/m);
  });

  it('binds the sender to the receiver of the same environment', () => {
    const sender = wrangler(plan().files, 'sender');
    expect(sender.services).toEqual([{ binding: 'RECEIVER', service: 'shop-receiver' }]);
    expect(sender.env?.staging?.services).toEqual([{ binding: 'RECEIVER', service: 'shop-receiver-staging' }]);
    expect(sender.env?.production?.services).toEqual([{ binding: 'RECEIVER', service: 'shop-receiver-production' }]);
  });

  it('keeps Workers AI out of local development', () => {
    const api = wrangler(plan({ features: ['ai'] }).files, 'api');
    expect(api.ai).toBeUndefined();
    expect(api.vars?.AI_MODE).toBe('http');
    expect(api.env?.production?.ai).toEqual({ binding: 'AI' });
    expect(api.env?.production?.vars?.AI_MODE).toBe('binding');
  });

  it('binds the api to the auth shim for EdDSA keys', () => {
    const api = wrangler(plan({ jwtAlg: 'EdDSA' }).files, 'api');
    expect(api.services).toContainEqual({ binding: 'AUTH_SHIM', service: 'shop-auth-shim' });
  });

  it('writes only the selected Workers', () => {
    const { files } = plan({ workers: ['sender', 'receiver'] });
    expect(files.some((entry) => entry.path.startsWith('workers/api/'))).toBe(false);
    expect(files.some((entry) => entry.path.startsWith('workers/auth-shim/'))).toBe(false);
    expect(JSON.parse(file(files, 'package.json').content).workspaces).toEqual(['workers/sender', 'workers/receiver']);
  });

  it('writes TOML with --config-format toml, and the vitest config points at it', () => {
    const { files } = plan({ configFormat: 'toml' });
    expect(files.some((entry) => entry.path.endsWith('wrangler.jsonc'))).toBe(false);
    const api = wrangler(files, 'api', 'toml');
    expect(api.name).toBe('shop-api');
    expect(api.env?.staging?.r2_buckets).toEqual([{ binding: 'R2', bucket_name: 'shop-uploads-staging' }]);
    expect(file(files, 'workers/api/vitest.config.ts').content).toContain("configPath: './wrangler.toml'");
  });

  it('writes a GitHub workflow with --ci github: tests and the rehearsal, then each environment in order, the last gated', () => {
    expect(plan().files.some((entry) => entry.path.startsWith('.github/'))).toBe(false);
    const text = file(
      plan({ ci: 'github', identity: 'supabase', supabaseUrl: 'https://abc.supabase.co' }).files,
      '.github/workflows/deploy.yml',
    ).content;
    // Valid against GitHub's workflow schema (SchemaStore's, as action-validator bundles it).
    expect(validateWorkflow(text).errors).toEqual([]);
    const workflow = parseYaml(text) as {
      jobs: Record<
        string,
        {
          needs?: string;
          environment?: string;
          env?: Record<string, string>;
          steps: { run?: string; uses?: string; with?: Record<string, unknown> }[];
        }
      >;
    };
    expect(Object.keys(workflow.jobs)).toEqual(['test', 'deploy-staging', 'deploy-production']);
    const runs = (job: string) => workflow.jobs[job]!.steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs('test')).toEqual(['npm ci', 'npm run typecheck', 'npm test', 'npm run rehearse']);
    expect(workflow.jobs['deploy-staging']).toMatchObject({ needs: 'test', environment: 'staging' });
    expect(workflow.jobs['deploy-production']).toMatchObject({ needs: 'deploy-staging', environment: 'production' });
    // The pinned appshell, never one fetched; provided secrets from the CI's store through --from-env.
    expect(runs('deploy-production')).toEqual([
      'npm ci',
      'npx --no appshell secrets --push --env production --from-env --yes',
      'npx --no appshell deploy --env production --from-env --yes',
    ]);
    // A GitHub Actions expression, written literally into the workflow.
    const fromSecrets = (name: string) => `\${{ secrets.${name} }}`;
    expect(workflow.jobs['deploy-production']!.env).toMatchObject({
      CLOUDFLARE_API_TOKEN: fromSecrets('CLOUDFLARE_API_TOKEN'),
      CLOUDFLARE_ACCOUNT_ID: fromSecrets('CLOUDFLARE_ACCOUNT_ID'),
      SUPABASE_ANON_KEY: fromSecrets('SUPABASE_ANON_KEY'),
    });
    // Actions on the node24 runtime, and the Node of the toolchain.
    for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps))
      if (step.uses) expect(step.uses).toMatch(/^actions\/(checkout|setup-node)@v5$/);
    expect(workflow.jobs.test!.steps.find((step) => step.uses?.startsWith('actions/setup-node'))!.with).toMatchObject({
      'node-version': 20,
    });
    expect(
      (parseYaml(file(plan({ ci: 'github', toolchain: 'current' }).files, '.github/workflows/deploy.yml').content) as typeof workflow).jobs
        .test!.steps[1]!.with,
    ).toMatchObject({ 'node-version': 24 });
    expect(text).toMatch(/Workers Scripts: Edit, Workers KV Storage: Edit,\n#\s+Workers R2 Storage: Edit/);
  });

  it('writes the extension registry from the manifest, identical to the template tested in workerd', () => {
    const { files } = plan();
    expect(file(files, 'workers/api/src/extensions/index.ts').content).toBe(source.get('workers/api/src/extensions/index.ts'));
    expect(file(files, 'workers/receiver/src/actions/index.ts').content).toBe(source.get('workers/receiver/src/actions/index.ts'));
  });

  it('leaves no Handlebars syntax in the output', () => {
    for (const entry of plan().files) expect(entry.content, entry.path).not.toMatch(/\{\{[^}]*\}\}/);
    for (const entry of plan({ ci: 'github' }).files.filter((f) => !f.path.endsWith('.yml'))) {
      expect(entry.content, entry.path).not.toMatch(/\{\{[^}]*\}\}/);
    }
  });
});

describe('planInitWorker on an existing project', () => {
  it('is all unchanged when nothing changed', () => {
    const first = plan();
    const again = plan({}, written(first.files));
    expect(again.files.filter((entry) => entry.action !== 'unchanged').map((entry) => `${entry.path}: ${entry.action}`)).toEqual([]);
  });

  it("keeps each environment's own origins (config set origins.<env>) while the origins answer is unchanged", () => {
    const disk = written(plan({ origins: ['https://shop.example'] }).files);
    const manifest = JSON.parse(disk['appshell.json']!);
    manifest.origins.production = ['https://shop.example', 'https://www.shop.example'];
    disk['appshell.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
    const again = plan({ origins: ['https://shop.example'] }, disk);
    expect(again.manifest.origins.production).toEqual(['https://shop.example', 'https://www.shop.example']);
    expect(again.manifest.origins.staging).toEqual(['https://shop.example']);
    // A new origins answer applies to every deployed environment.
    expect(plan({ origins: ['https://new.example'] }, disk).manifest.origins.production).toEqual(['https://new.example']);
  });

  it('updates files appshell wrote when the answers change', () => {
    const first = plan();
    const again = plan({ origins: ['https://shop.example'] }, written(first.files));
    expect(file(again.files, 'workers/api/wrangler.jsonc').action).toBe('update');
    expect(file(again.files, 'workers/api/src/index.ts').action).toBe('unchanged');
  });

  it('reports a file the team edited as a conflict, and --force overwrites it', () => {
    const disk = written(plan().files);
    disk['workers/api/wrangler.jsonc'] = `${disk['workers/api/wrangler.jsonc']}\n// our note\n`;
    const again = plan({ origins: ['https://shop.example'] }, disk);
    expect(file(again.files, 'workers/api/wrangler.jsonc')).toMatchObject({
      action: 'conflict',
      reason: 'changed since appshell wrote it',
    });
    const forced = plan({ origins: ['https://shop.example'] }, disk, true);
    expect(file(forced.files, 'workers/api/wrangler.jsonc').action).toBe('update');
  });

  it('keeps a team edit as a conflict even when the answers did not change', () => {
    const disk = written(plan().files);
    disk['workers/receiver/src/index.ts'] = '// ours\n';
    expect(file(plan({}, disk).files, 'workers/receiver/src/index.ts').action).toBe('conflict');
  });

  it('treats an existing file appshell never wrote as a conflict', () => {
    const again = plan({}, { 'README.md': '# ours\n' });
    expect(file(again.files, 'README.md')).toMatchObject({ action: 'conflict', reason: 'exists and was not written by appshell' });
  });

  it('keeps extension routes recorded in the manifest', () => {
    const disk = written(plan().files);
    const manifest = JSON.parse(disk['appshell.json']!);
    manifest.routes = [{ path: '/v1/invoices', methods: ['GET'], public: false, roles: [], handler: 'invoices' }];
    disk['appshell.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
    const again = plan({}, disk);
    expect(JSON.parse(file(again.files, 'appshell.json').content).routes).toHaveLength(1);
  });
});

describe('summarizePlan', () => {
  it('counts a new project per part (root files, then each Worker), every file once', () => {
    const init = planInitWorker({
      answers: defaultAnswers('shop'),
      root: '/x',
      tree: memoryTree(),
      newProject: true,
      source,
      force: false,
    });
    const rows = summarizePlan(init.files);
    expect(rows.map((row) => row.group).sort()).toEqual([
      'project',
      'workers/api',
      'workers/auth-shim',
      'workers/receiver',
      'workers/sender',
    ]);
    // Base copies (.appshell/base/) are bookkeeping: written, never counted.
    const shown = init.files.filter((file) => !file.internal);
    expect(shown.length * 2 - 1).toBe(init.files.length);
    expect(rows.reduce((sum, row) => sum + row.create, 0)).toBe(shown.length);
    expect(rows.find((row) => row.group === 'project')?.create).toBe(shown.filter((file) => !file.path.startsWith('workers/')).length);
  });
});
