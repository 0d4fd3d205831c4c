// The emulated account against the current wrangler (versions.ts, 4.164.0 at this writing) on Node 24 LTS: a project
// written by the CLI on Node 24 (the current toolchain) deploys, takes its secrets through 4.164's secrets-bulk, and
// deploys again creating nothing; the sender alone is refused as on Cloudflare. The Node 20 side is
// emulated-account.test.ts.
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolchains } from '../generators/versions.js';
import { startAccountServer, type RunningAccountServer } from '../fixtures/stand-ins/cloudflare-account.js';
import { cliPath, makeTempDir, productionAnswers, repoRoot } from './support/cli.js';
import { ensureCurrentWrangler, ensureNode24, node24Bin } from './support/node24.js';

const workers = ['auth-shim', 'api', 'receiver', 'sender'];
const script = (worker: string) => `demo-${worker}-staging`;
const uploads = (account: RunningAccountServer) =>
  account.calls
    .filter((call) => (call.method === 'PUT' || call.method === 'POST') && /\/workers\/scripts\/[^/]+(\/versions)?$/.test(call.path))
    .map((call) => `${call.method} ${call.path.split('/workers/scripts/')[1]}`);

describe('the emulated account with the current wrangler on Node 24', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let root: string;
  let wrangler: string;
  let account: RunningAccountServer;
  const run = (args: string[], target = account) =>
    execa(join(node24Bin, 'node'), [cliPath, ...args], {
      cwd: root,
      reject: false,
      all: true,
      stdin: 'ignore',
      // The project's bundling packages are the repository's; wrangler is the current one (APPSHELL_WRANGLER).
      env: { ...target.wranglerEnv(), PATH: `${node24Bin}:${process.env.PATH}`, APPSHELL_WRANGLER: wrangler },
    });

  beforeAll(async () => {
    await ensureNode24();
    wrangler = await ensureCurrentWrangler();
    workspace = await makeTempDir('appshell-emulated-current-');
    const init = await execa(
      join(node24Bin, 'node'),
      [cliPath, 'init-worker', 'demo', '--yes', '--no-install', '--no-git', ...productionAnswers],
      { cwd: workspace.dir, reject: false, all: true },
    );
    expect(init.exitCode, init.all).toBe(0);
    root = join(workspace.dir, 'demo');
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    account = await startAccountServer();
  });

  afterAll(async () => {
    await account?.close();
    await workspace?.remove();
  });

  it('first deploy: every Worker created, with its migration and the shared KV namespace', async () => {
    const result = await run(['deploy', '--env', 'staging']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain(`wrangler ${toolchains.current.tooling.wrangler}`);
    expect(uploads(account)).toEqual(workers.map((worker) => `PUT ${script(worker)}`));
    expect(account.state.scripts[script('api')]).toMatchObject({ migrationTag: 'v1', durableObjectClasses: ['RateLimiter'] });
    const apiKeys = (worker: string) =>
      account.state.scripts[script(worker)]!.versions.at(-1)!.bindings.find((binding) => binding.name === 'API_KEYS')?.namespace_id;
    expect(apiKeys('api')).toBe(apiKeys('receiver'));
    // 4.164 asks for the Worker by name after the upload.
    expect(account.calls.some((call) => call.path.endsWith(`/workers/workers/${script('api')}`) && call.status === 200)).toBe(true);
  });

  it("carried the secrets in the first uploads, takes a missing one through 4.164's secrets-bulk, then deploys again creating nothing", async () => {
    expect(Object.keys(account.state.scripts[script('receiver')]!.secrets).sort()).toEqual(['SESSION_JWT_SECRET', 'SIGNING_SECRETS']);
    expect(account.state.scripts[script('api')]!.secrets.SESSION_JWT_SECRET).toBe(
      account.state.scripts[script('auth-shim')]!.secrets.SESSION_JWT_SECRET,
    );
    // The sender's signing key is lost on the account: the push gives its group (sender, receiver) one new value.
    delete account.state.scripts[script('sender')]!.secrets.SIGNING_SECRETS;
    account.calls.length = 0;
    const push = await run(['secrets', '--push', '--env', 'staging', '--yes']);
    expect(push.exitCode, push.all).toBe(0);
    expect(
      account.calls
        .filter((call) => call.path.endsWith('/secrets-bulk'))
        .map((call) => call.path.split('/scripts/')[1])
        .sort(),
    ).toEqual([`${script('receiver')}/secrets-bulk`, `${script('sender')}/secrets-bulk`]);
    expect(account.state.scripts[script('sender')]!.secrets.SIGNING_SECRETS).toBe(
      account.state.scripts[script('receiver')]!.secrets.SIGNING_SECRETS,
    );
    account.calls.length = 0;
    const second = await run(['deploy', '--env', 'staging']);
    expect(second.exitCode, second.all).toBe(0);
    expect(uploads(account)).toEqual(workers.map((worker) => `POST ${script(worker)}/versions`));
    expect(account.calls.filter((call) => call.method === 'POST' && /\/(storage\/kv\/namespaces|r2\/buckets)$/.test(call.path))).toEqual(
      [],
    );
    expect(account.state.scripts[script('api')]!.migrationTag).toBe('v1');
  });

  it('refuses the sender before its receiver (10143), and appshell names the Worker', async () => {
    const fresh = await startAccountServer();
    try {
      const result = await run(['deploy', '--env', 'staging', '--only', 'sender', '--json'], fresh);
      expect(result.exitCode).toBe(1);
      const report = JSON.parse(result.stdout) as { workers: { cloudflareCode?: number; error: string }[] };
      expect(report.workers[0]).toMatchObject({ cloudflareCode: 10143 });
      expect(report.workers[0]!.error).toMatch(/^Cloudflare refused demo-sender-staging \(code 10143\)/);
      expect(fresh.state.scripts).toEqual({});
    } finally {
      await fresh.close();
    }
  });
});
