// The real wrangler (4.86.0, on this Node 20) deploys a default project to the emulated Cloudflare account, whose
// Workers then run in workerd: what appshell makes wrangler send is checked the way a real account checks it.
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeployedWorkers, startAccountServer, type RunningAccountServer } from '../fixtures/stand-ins/cloudflare-account.js';
import { makeTempDir, productionAnswers, repoRoot, runCli } from './support/cli.js';

const workers = ['auth-shim', 'api', 'receiver', 'sender'];
const script = (worker: string) => `demo-${worker}-staging`;
const uploads = (account: RunningAccountServer) =>
  account.calls.filter(
    (call) => /\/workers\/scripts\/[^/]+(\/versions)?$/.test(call.path) && (call.method === 'PUT' || call.method === 'POST'),
  );
const creations = (account: RunningAccountServer) =>
  account.calls.filter((call) => call.method === 'POST' && /\/(storage\/kv\/namespaces|r2\/buckets)$/.test(call.path));

/** Reads a generated wrangler.jsonc (its header is line comments) as JSON. */
const readConfig = async (path: string) => JSON.parse((await readFile(path, 'utf8')).replace(/^\/\/.*$/gm, ''));

let workspace: { dir: string; remove: () => Promise<void> };
let root: string;
let account: RunningAccountServer;
const cli = (args: string[], env: Record<string, string> = {}, target = account) =>
  runCli(args, { cwd: root, env: { ...target.wranglerEnv(), ...env } });

beforeAll(async () => {
  workspace = await makeTempDir('appshell-emulated-');
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', ...productionAnswers], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  root = join(workspace.dir, 'demo');
  // The repository's packages stand in for `npm install` (wrangler 4.86.0 and the miniflare it depends on).
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  account = await startAccountServer();
});

afterAll(async () => {
  await account?.close();
  await workspace?.remove();
});

describe('appshell deploy with wrangler 4.86.0 to an emulated account', () => {
  it('first deploy: every Worker is created with its bindings, migrations and one shared KV namespace, and answers in workerd', async () => {
    const result = await cli(['deploy', '--env', 'staging', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; workers: { worker: string; status: string; url: string }[] };
    expect(report.workers.map((worker) => [worker.worker, worker.status, worker.url])).toEqual(
      ['auth-shim', 'api', 'receiver', 'sender'].map((worker) => [worker, 'deployed', `https://${script(worker)}.rehearsal.workers.dev`]),
    );
    const { state } = account;
    expect(Object.keys(state.scripts).sort()).toEqual(workers.map(script).sort());
    // A first deploy uploads the script (PUT), never a version of a Worker that does not exist.
    expect(uploads(account).map((call) => call.method)).toEqual(['PUT', 'PUT', 'PUT', 'PUT']);
    expect(state.scripts[script('api')]).toMatchObject({
      migrationTag: 'v1',
      durableObjectClasses: ['RateLimiter'],
      sqliteClasses: ['RateLimiter'],
    });
    expect(state.scripts[script('receiver')]).toMatchObject({ migrationTag: 'v1', durableObjectClasses: ['ReplayGuard'] });
    const apiKeys = (worker: string) =>
      state.scripts[script(worker)]!.versions.at(-1)!.bindings.find((binding) => binding.name === 'API_KEYS')?.namespace_id;
    expect(apiKeys('api')).toBeDefined();
    expect(apiKeys('api')).toBe(apiKeys('receiver'));
    expect(state.kvNamespaces.find((namespace) => namespace.id === apiKeys('api'))?.title).toBe('demo-api-keys-staging');
    expect(state.r2Buckets.map((bucket) => bucket.name)).toContain('demo-uploads-staging');
    expect(state.scripts[script('sender')]!.versions.at(-1)!.bindings).toContainEqual({
      name: 'RECEIVER',
      type: 'service',
      service: script('receiver'),
    });

    const running = await runDeployedWorkers(state);
    try {
      for (const worker of workers) {
        const response = await fetch(new URL('/health', running.urls[script(worker)]));
        expect(await response.json()).toEqual({ ok: true, service: worker });
      }
    } finally {
      await running.close();
    }
  });

  it('second deploy with no change creates nothing: new versions of the same Workers, same migration tags', async () => {
    const push = await cli(['secrets', '--push', '--env', 'staging', '--yes']);
    expect(push.exitCode, push.stdout + push.stderr).toBe(0);
    expect(Object.keys(account.state.scripts[script('receiver')]!.secrets).sort()).toEqual(['SESSION_JWT_SECRET', 'SIGNING_SECRETS']);
    const before = { kv: account.state.kvNamespaces.length, r2: account.state.r2Buckets.length };
    account.calls.length = 0;
    const result = await cli(['deploy', '--env', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(creations(account)).toEqual([]);
    expect({ kv: account.state.kvNamespaces.length, r2: account.state.r2Buckets.length }).toEqual(before);
    // An existing Worker without a pending migration gets a version and a deployment of it.
    expect(uploads(account).map((call) => `${call.method} ${call.path.split('/').slice(-2).join('/')}`)).toEqual(
      workers.map((worker) => `POST ${script(worker)}/versions`),
    );
    for (const worker of workers) expect(account.state.scripts[script(worker)]!.versions).toHaveLength(2);
    expect(account.state.scripts[script('api')]!.migrationTag).toBe('v1');
    // Secrets outlive a deploy.
    expect(Object.keys(account.state.scripts[script('receiver')]!.secrets).sort()).toEqual(['SESSION_JWT_SECRET', 'SIGNING_SECRETS']);
  });

  it('a new Durable Object class goes up as a new migration tag after the existing one', async () => {
    const configPath = join(root, 'workers/api/wrangler.jsonc');
    const config = await readConfig(configPath);
    config.migrations.push({ tag: 'v2', new_sqlite_classes: ['AuditLog'] });
    config.env.staging.durable_objects.bindings.push({ name: 'AUDIT_LOG', class_name: 'AuditLog' });
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const indexPath = join(root, 'workers/api/src/index.ts');
    await writeFile(
      indexPath,
      `${await readFile(indexPath, 'utf8')}\nimport { DurableObject } from 'cloudflare:workers';\nexport class AuditLog extends DurableObject {}\n`,
    );
    account.calls.length = 0;
    const result = await cli(['deploy', '--env', 'staging', '--only', 'api']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    // A pending migration makes wrangler upload the script, with old_tag v1 accepted by the account.
    expect(uploads(account).map((call) => call.method)).toEqual(['PUT']);
    expect(account.state.scripts[script('api')]).toMatchObject({ migrationTag: 'v2', durableObjectClasses: ['RateLimiter', 'AuditLog'] });
    expect(creations(account)).toEqual([]);
  });

  it('a Worker whose service binding target is missing is refused with 10143, and appshell names the Worker', async () => {
    const fresh = await startAccountServer();
    try {
      const result = await cli(['deploy', '--env', 'staging', '--only', 'sender', '--json'], {}, fresh);
      expect(result.exitCode).toBe(1);
      const report = JSON.parse(result.stdout) as { workers: { worker: string; status: string; cloudflareCode?: number; error: string }[] };
      expect(report.workers[0]).toMatchObject({ worker: 'sender', status: 'failed', cloudflareCode: 10143 });
      expect(report.workers[0]!.error).toMatch(/^Cloudflare refused demo-sender-staging \(code 10143\): .*demo-receiver-staging/);
      const text = await cli(['deploy', '--env', 'staging', '--only', 'sender'], {}, fresh);
      expect(text.exitCode).toBe(1);
      expect(text.stdout).toMatch(/Failed: demo-sender-staging \(Cloudflare refused demo-sender-staging \(code 10143\)/);
      expect(fresh.state.scripts).toEqual({});
    } finally {
      await fresh.close();
    }
  });

  it('wrangler deploying the sender before the receiver is refused by the account, as on Cloudflare', async () => {
    const fresh = await startAccountServer();
    try {
      const result = await execa(
        join(root, 'node_modules/.bin/wrangler'),
        ['deploy', '--config', 'workers/sender/wrangler.jsonc', '--env', 'staging'],
        {
          cwd: root,
          env: fresh.wranglerEnv(),
          reject: false,
          all: true,
          stdin: 'ignore',
        },
      );
      expect(result.exitCode).toBe(1);
      expect(result.all).toContain('[code: 10143]');
      expect(fresh.calls.find((call) => call.method === 'PUT')).toMatchObject({ status: 400, code: 10143 });
      expect(fresh.state.scripts).toEqual({});
    } finally {
      await fresh.close();
    }
  });
});
