import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountState, startAccountServer, type RunningAccountServer } from '../fixtures/stand-ins/cloudflare-account.js';
import { makeTempDir, productionAnswers, repoRoot, runCli } from './support/cli.js';
import { fakeWrangler } from './support/fake-wrangler.js';

let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-deploy-');
});
afterAll(() => workspace.remove());

/** A generated project (no install) and a fresh recording stand-in wrangler beside it. */
async function project(name: string, flags: string[] = []) {
  const dir = join(workspace.dir, name);
  await mkdir(dir);
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', ...productionAnswers, ...flags], { cwd: dir });
  expect(init.exitCode, init.stderr).toBe(0);
  const root = join(dir, 'demo');
  const wrangler = fakeWrangler(dir);
  const deploy = (args: string[], env: Record<string, string> = {}) => runCli(['deploy', ...args], { cwd: root, env: wrangler.env(env) });
  return { root, wrangler, deploy };
}

const deployCalls = <T extends { argv: string[] }>(calls: T[]) => calls.filter((call) => call.argv[0] === 'deploy');
const configOf = (argv: string[]) => argv[argv.indexOf('--config') + 1];

/**
 * A generated project whose packages are the repository's (wrangler 4.86.0), deployed by the real wrangler to an
 * emulated Cloudflare account (fixtures/stand-ins/cloudflare-account.ts).
 */
async function emulatedProject(name: string, flags: string[] = [], account?: RunningAccountServer) {
  const dir = join(workspace.dir, name);
  await mkdir(dir);
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', ...productionAnswers, ...flags], { cwd: dir });
  expect(init.exitCode, init.stderr).toBe(0);
  const root = join(dir, 'demo');
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  const target = account ?? (await startAccountServer());
  opened.push(target);
  const cli = (args: string[]) => runCli(args, { cwd: root, env: target.wranglerEnv() });
  return { root, account: target, cli, deploy: (args: string[]) => cli(['deploy', ...args]) };
}
const opened: RunningAccountServer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((account) => account.close()));
});

/** Uploads of a Worker (a script PUT on a first deploy or a pending migration, else a version POST), in order. */
const uploadedScripts = (account: RunningAccountServer) =>
  account.calls
    .filter((call) => (call.method === 'PUT' || call.method === 'POST') && /\/workers\/scripts\/[^/]+(\/versions)?$/.test(call.path))
    .map((call) => call.path.split('/workers/scripts/')[1]!.replace(/\/versions$/, ''));
const kvCreations = (account: RunningAccountServer) =>
  account.calls.filter((call) => call.method === 'POST' && call.path.endsWith('/storage/kv/namespaces'));

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
/** The KV ids a Worker's config binds in `env`, by binding (jsonc: the comment header is skipped). */
const configIds = async (root: string, worker: string, env: string) => {
  const text = await readFile(join(root, `workers/${worker}/wrangler.jsonc`), 'utf8');
  const entries = JSON.parse(text.replace(/^\/\/.*$/gm, '')).env[env].kv_namespaces as { binding: string; id?: string }[];
  return Object.fromEntries(entries.map((entry) => [entry.binding, entry.id]));
};
/** The id each Worker's config binds API_KEYS to in `env`. */
const boundIds = async (root: string, env: string) => ({
  api: (await configIds(root, 'api', env)).API_KEYS,
  receiver: (await configIds(root, 'receiver', env)).API_KEYS,
});
/** The KV namespaces the live version of a deployed Worker binds, by binding. */
const liveIds = (account: RunningAccountServer, script: string) =>
  Object.fromEntries(
    account.state.scripts[script]!.versions.at(-1)!
      .bindings.filter((binding) => binding.type === 'kv_namespace')
      .map((binding) => [binding.name, binding.namespace_id]),
  );

describe('appshell deploy to an emulated account, with the real wrangler', () => {
  // One project and one account, deploy after deploy, as a team's would go.
  let project: Awaited<ReturnType<typeof emulatedProject>>;
  beforeAll(async () => {
    project = await emulatedProject('emulated');
  });

  it('a dry run creates nothing and calls nothing, and says what a deploy would do', async () => {
    const result = await project.deploy(['--env', 'staging', '--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'KV namespace API_KEYS (shared by api, receiver) has no id for --env staging yet: a real deploy keeps the one a deployed Worker binds, or finds or creates demo-api-keys-staging, first.',
    );
    expect(result.stdout).toContain('KV namespace ROLES (of auth-shim) has no id for --env staging yet');
    expect(project.account.calls).toEqual([]);
  });

  it('first deploy: the shared KV namespace first, then every Worker after the Workers it binds, each under its --env name', async () => {
    const { root, account, deploy } = project;
    const result = await deploy(['--env', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    // The account refuses a Worker whose service binding names one not deployed yet (10143): the order is real.
    const order = uploadedScripts(account);
    expect(order).toHaveLength(4);
    expect(order.every((name) => name.endsWith('-staging'))).toBe(true);
    expect(order.indexOf('demo-receiver-staging')).toBeLessThan(order.indexOf('demo-sender-staging'));
    expect(result.stdout).toContain('wrangler 4.86.0');
    expect(result.stdout).toMatch(
      /api deployed as demo-api-staging: https:\/\/demo-api-staging\.rehearsal\.workers\.dev, version [0-9a-f-]{36}/,
    );
    // First deploy: each Worker's first upload carries its secrets, so none goes live without them.
    expect(result.stdout).toMatch(/demo-api-staging is new: its first upload carries SESSION_JWT_SECRET/);
    const secretsOf = (name: string) => account.state.scripts[`demo-${name}-staging`]!.secrets;
    expect(Object.keys(secretsOf('auth-shim'))).toEqual(['SESSION_JWT_SECRET']);
    expect(Object.keys(secretsOf('sender'))).toEqual(['SIGNING_SECRETS']);
    expect(Object.keys(secretsOf('receiver')).sort()).toEqual(['SESSION_JWT_SECRET', 'SIGNING_SECRETS']);
    // One value per shared group, in the form the Workers read.
    expect(secretsOf('auth-shim').SESSION_JWT_SECRET).toMatch(/^hs256_\d+_[\w-]{43}$/);
    expect(secretsOf('api').SESSION_JWT_SECRET).toBe(secretsOf('auth-shim').SESSION_JWT_SECRET);
    expect(secretsOf('receiver').SESSION_JWT_SECRET).toBe(secretsOf('auth-shim').SESSION_JWT_SECRET);
    expect(secretsOf('receiver').SIGNING_SECRETS).toBe(secretsOf('sender').SIGNING_SECRETS);
    // ... in a file that is gone once the deploy ends: the account got the values, no file outlives the run.
    expect(secretsOf('sender').SIGNING_SECRETS).toMatch(/^whsec_/);

    // Every namespace created once, before the first upload, under appshell's title; its id in appshell.json and
    // in every holder's config (API_KEYS one namespace for the api and the receiver), and bound by what went live.
    const titled = Object.fromEntries(account.state.kvNamespaces.map((namespace) => [namespace.title, namespace.id]));
    expect(Object.keys(titled).sort()).toEqual(['demo-api-keys-staging', 'demo-projects-staging', 'demo-roles-staging']);
    const firstUpload = account.calls.findIndex((call) => call.method === 'PUT');
    expect(kvCreations(account)).toHaveLength(3);
    expect(account.calls.lastIndexOf(kvCreations(account).at(-1)!)).toBeLessThan(firstUpload);
    const recorded = {
      API_KEYS: titled['demo-api-keys-staging'],
      ROLES: titled['demo-roles-staging'],
      PROJECTS: titled['demo-projects-staging'],
    };
    expect((await readJson(join(root, 'appshell.json'))).kvNamespaces).toEqual({ staging: recorded });
    expect(await configIds(root, 'api', 'staging')).toEqual({ API_KEYS: recorded.API_KEYS, PROJECTS: recorded.PROJECTS });
    expect(await configIds(root, 'receiver', 'staging')).toEqual({ API_KEYS: recorded.API_KEYS });
    expect(await configIds(root, 'auth-shim', 'staging')).toEqual({ ROLES: recorded.ROLES });
    expect(await boundIds(root, 'production')).toEqual({ api: undefined, receiver: undefined });
    expect(liveIds(account, 'demo-api-staging')).toEqual({ API_KEYS: recorded.API_KEYS, PROJECTS: recorded.PROJECTS });
    expect(liveIds(account, 'demo-receiver-staging')).toEqual({ API_KEYS: recorded.API_KEYS });
    expect(liveIds(account, 'demo-auth-shim-staging')).toEqual({ ROLES: recorded.ROLES });
    // The rewritten configs are appshell's own output: a re-run of init changes nothing.
    const again = await runCli(['init-worker', '.', '--yes', '--no-install', '--no-git', '--name', 'demo'], { cwd: root });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
  });

  it('refuses the next deploy while a deployed Worker lacks a secret, then deploys with the recorded id', async () => {
    const { account, cli, deploy } = project;
    const check = await cli(['secrets', '--check', '--env', 'staging']);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    // Someone deletes the api's session key on the account.
    const value = account.state.scripts['demo-api-staging']!.secrets.SESSION_JWT_SECRET;
    delete account.state.scripts['demo-api-staging']!.secrets.SESSION_JWT_SECRET;
    account.calls.length = 0;
    const missing = await deploy(['--env', 'staging']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/secrets missing for --env staging/);
    expect(missing.stderr).toMatch(/demo-api-staging: SESSION_JWT_SECRET/);
    expect(uploadedScripts(account)).toEqual([]);
    account.state.scripts['demo-api-staging']!.secrets.SESSION_JWT_SECRET = value!;
    account.calls.length = 0;
    const second = await deploy(['--env', 'staging']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(kvCreations(account)).toEqual([]);
    expect(second.stdout).toMatch(
      /KV namespace API_KEYS \(--env staging\): id [0-9a-f]{32} \(recorded in appshell\.json\), shared by api, receiver/,
    );
  });

  it('counts a secret kept in its rotation slot as set (after a finished rotation)', async () => {
    const { account, deploy } = project;
    const slots: Record<string, string[]> = {
      'demo-auth-shim-staging': ['SESSION_JWT_SECRET_NEXT'],
      'demo-api-staging': ['SESSION_JWT_SECRET'],
      'demo-sender-staging': ['SIGNING_SECRETS_NEXT'],
      'demo-receiver-staging': ['SESSION_JWT_SECRET_NEXT', 'SIGNING_SECRETS'],
    };
    for (const [script, names] of Object.entries(slots)) {
      account.state.scripts[script]!.secrets = Object.fromEntries(names.map((name) => [name, 'value']));
    }
    account.calls.length = 0;
    const result = await deploy(['--env', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(uploadedScripts(account)).toHaveLength(4);
  });

  // The receiver binds only the namespace appshell creates, so its retry below is about secrets alone; a Worker with
  // namespaces of its own is the next test.
  it('stops at the first failure and says what is deployed, what failed and what was not attempted', async () => {
    const { account, deploy } = project;
    account.failNextUpload('demo-receiver-production');
    const result = await deploy(['--env', 'production', '--json']);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; workers: { worker: string; status: string; error?: string }[] };
    expect(report.ok).toBe(false);
    const statuses = Object.fromEntries(report.workers.map((worker) => [worker.worker, worker.status]));
    expect(statuses.receiver).toBe('failed');
    const failedIndex = report.workers.findIndex((worker) => worker.worker === 'receiver');
    expect(report.workers.slice(0, failedIndex).every((worker) => worker.status === 'deployed')).toBe(true);
    expect(report.workers.slice(failedIndex + 1).every((worker) => worker.status === 'not-attempted')).toBe(true);
    expect(report.workers[failedIndex]!.error).toMatch(
      /^Cloudflare refused demo-receiver-production \(code 10013\): .*simulated for demo-receiver-production/,
    );
    // Nothing after the failure reached the account.
    expect(Object.keys(account.state.scripts).filter((name) => name.endsWith('-production'))).toEqual(
      report.workers.slice(0, failedIndex).map((worker) => `demo-${worker.worker}-production`),
    );

    // The receiver shares the session key with the deployed auth shim and api, whose value cannot be read back:
    // without a terminal the retry asks for --yes, and changes nothing.
    const held = account.state.scripts['demo-auth-shim-production']!.secrets.SESSION_JWT_SECRET;
    const refused = await deploy(['--env', 'production']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /session-jwt: demo-receiver-production is new, and the value on demo-auth-shim-production, demo-api-production cannot be read back/,
    );
    expect(refused.stderr).toContain('appshell deploy --env production --yes');

    account.failNextUpload('demo-receiver-production');
    const text = await deploy(['--env', 'production', '--yes']);
    expect(text.exitCode).toBe(1);
    expect(text.stderr).toContain('simulated for demo-receiver-production');
    expect(text.stdout).toMatch(/Failed: demo-receiver-production/);
    expect(text.stdout).toMatch(/Not attempted: /);
    // A failed deploy leaves the deployed members' value alone.
    expect(account.state.scripts['demo-auth-shim-production']!.secrets.SESSION_JWT_SECRET).toBe(held);

    const done = await deploy(['--env', 'production', '--yes']);
    expect(done.exitCode, done.stdout + done.stderr).toBe(0);
    const session = (name: string) => account.state.scripts[`demo-${name}-production`]!.secrets.SESSION_JWT_SECRET;
    expect(session('receiver')).not.toBe(held);
    expect(session('auth-shim')).toBe(session('receiver'));
    expect(session('api')).toBe(session('receiver'));
    expect(account.state.scripts['demo-sender-production']!.secrets.SIGNING_SECRETS).toBe(
      account.state.scripts['demo-receiver-production']!.secrets.SIGNING_SECRETS,
    );
  });
});

describe('appshell deploy: KV namespaces left by wrangler or bound by Workers deployed before appshell recorded them', () => {
  it('adopts the namespace an earlier failed first upload left, and a retry binds the recorded ids (never 10014)', async () => {
    const { root, account, deploy } = await emulatedProject('retry');
    // What wrangler's own provisioning left when an earlier first upload of the api failed.
    const left = { id: 'f'.repeat(32), title: 'demo-api-staging-projects' };
    account.state.kvNamespaces.push(left);
    account.failNextUpload('demo-api-staging');
    const failed = await deploy(['--env', 'staging', '--only', 'auth-shim,api']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain(
      `KV namespace PROJECTS (--env staging): demo-api-staging-projects, id ${left.id} (made by wrangler for this Worker's first deploy`,
    );
    const afterFailure = account.state.kvNamespaces.length;
    expect((await readJson(join(root, 'appshell.json'))).kvNamespaces.staging.PROJECTS).toBe(left.id);

    const retry = await deploy(['--env', 'staging', '--only', 'auth-shim,api', '--yes']);
    expect(retry.exitCode, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`KV namespace PROJECTS (--env staging): id ${left.id} (recorded in appshell.json)`);
    expect(account.state.kvNamespaces).toHaveLength(afterFailure);
    expect(liveIds(account, 'demo-api-staging').PROJECTS).toBe(left.id);
  });

  it('keeps the namespace a deployed Worker binds when appshell.json has no id for it (a project deployed by an older appshell)', async () => {
    const { root, account, deploy, cli } = await emulatedProject('legacy');
    expect((await deploy(['--env', 'staging', '--only', 'auth-shim'])).exitCode).toBe(0);
    const roles = liveIds(account, 'demo-auth-shim-staging').ROLES!;
    // As an older appshell left it: no recorded id, the config without one, and a title appshell would not look for.
    const manifestPath = join(root, 'appshell.json');
    await writeFile(manifestPath, `${JSON.stringify({ ...(await readJson(manifestPath)), kvNamespaces: {} }, null, 2)}\n`);
    expect((await cli(['init-worker', '.', '--yes', '--no-install', '--no-git', '--name', 'demo', ...productionAnswers])).exitCode).toBe(0);
    expect(await configIds(root, 'auth-shim', 'staging')).toEqual({ ROLES: undefined });
    account.state.kvNamespaces.find((namespace) => namespace.id === roles)!.title = 'named-by-the-team';

    const again = await deploy(['--env', 'staging', '--only', 'auth-shim']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`KV namespace ROLES (--env staging): id ${roles} (bound by the deployed Worker)`);
    expect(account.state.kvNamespaces).toHaveLength(1);
    expect(liveIds(account, 'demo-auth-shim-staging').ROLES).toBe(roles);
    expect((await readJson(manifestPath)).kvNamespaces).toEqual({ staging: { ROLES: roles } });
  });
});

describe('appshell deploy to an emulated account that is not set up', () => {
  // One project, an account set up two wrong ways: each stops before anything is created or uploaded.
  let project: Awaited<ReturnType<typeof emulatedProject>>;
  beforeAll(async () => {
    project = await emulatedProject(
      'not-set-up',
      [],
      await startAccountServer({ state: createAccountState({ subdomain: null, r2Enabled: false }) }),
    );
  });

  it('names the missing workers.dev subdomain and R2 not enabled, and deploys nothing', async () => {
    const { account, deploy } = project;
    const result = await deploy(['--env', 'staging']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the account is not set up for this deploy; nothing was deployed');
    expect(result.stderr).toMatch(
      /account e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1 has no workers\.dev subdomain[^\n]*\n\s+open Workers & Pages in the Cloudflare dashboard/,
    );
    expect(result.stderr).toMatch(/R2 is not enabled on account e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1, and the api Worker binds a bucket/);
    expect(uploadedScripts(account)).toEqual([]);
    expect(kvCreations(account)).toEqual([]);
    expect(account.state.scripts).toEqual({});
  });

  it('with `wrangler login` instead of an API token, still names R2 not enabled before anything is uploaded', async () => {
    const { root, account } = project;
    // What `wrangler login` leaves in the home folder; wrangler offers a missing subdomain itself at the terminal.
    const home = join(workspace.dir, 'login-home');
    await mkdir(join(home, '.wrangler/config'), { recursive: true });
    await writeFile(
      join(home, '.wrangler/config/default.toml'),
      'oauth_token = "rehearsal-login"\nexpiration_time = "2099-01-01T00:00:00.000Z"\nrefresh_token = "unused"\n',
    );
    const { CLOUDFLARE_API_TOKEN: _token, ...loggedIn } = account.wranglerEnv();
    account.calls.length = 0;
    const result = await runCli(['deploy', '--env', 'staging'], { cwd: root, env: { ...loggedIn, HOME: home } });
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/R2 is not enabled on account e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1, and the api Worker binds a bucket/);
    expect(result.stderr).not.toContain('workers.dev subdomain');
    expect(account.calls.some((call) => call.path.endsWith('/r2/buckets') && call.code === 10042)).toBe(true);
    expect(uploadedScripts(account)).toEqual([]);
    expect(account.state.scripts).toEqual({});
  });

  it('goes through once the subdomain is chosen and R2 enabled', async () => {
    const { account, deploy } = project;
    account.state.subdomain = 'shop';
    account.state.r2Enabled = true;
    const result = await deploy(['--env', 'staging', '--only', 'auth-shim,api']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/api deployed as demo-api-staging: https:\/\/demo-api-staging\.shop\.workers\.dev/);
  });
});

describe('appshell deploy to an emulated account: order and KV namespaces of other projects', () => {
  it('deploys the auth shim before the api when the api binds it (EdDSA)', async () => {
    const { account, deploy } = await emulatedProject('eddsa', ['--jwt-alg', 'EdDSA']);
    const result = await deploy(['--env', 'production', '--only', 'api,auth-shim']);
    expect(result.exitCode, result.stderr).toBe(0);
    const order = uploadedScripts(account);
    expect(order.indexOf('demo-auth-shim-production')).toBeLessThan(order.indexOf('demo-api-production'));
    expect(account.state.scripts['demo-api-production']!.versions[0]!.bindings).toContainEqual(
      expect.objectContaining({ type: 'service', service: 'demo-auth-shim-production' }),
    );
  });

  it('deploys only --only Workers of a subset project, in order, with toml configs', async () => {
    const { account, deploy } = await emulatedProject('subset', [
      '--workers',
      'sender,receiver',
      '--config-format',
      'toml',
      '--envs',
      'preview',
    ]);
    const result = await deploy(['--env', 'preview', '--only', 'sender,receiver', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(uploadedScripts(account)).toEqual(['demo-receiver-preview', 'demo-sender-preview']);
    const report = JSON.parse(result.stdout);
    const receiverVersion = account.state.scripts['demo-receiver-preview']!.versions[0]!.id;
    expect(report).toMatchObject({
      ok: true,
      env: 'preview',
      dryRun: false,
      wrangler: { version: '4.86.0', source: 'project' },
      workers: [
        {
          worker: 'receiver',
          scriptName: 'demo-receiver-preview',
          status: 'deployed',
          url: 'https://demo-receiver-preview.rehearsal.workers.dev',
        },
        { worker: 'sender', scriptName: 'demo-sender-preview', status: 'deployed' },
      ],
    });
    expect(report.workers[0].versionId.replaceAll('-', '')).toBe(receiverVersion);
  });

  it('adopts an existing namespace of that title instead of creating one', async () => {
    const account = await startAccountServer();
    account.state.kvNamespaces.push(
      { id: 'b'.repeat(32), title: 'demo-api-keys-staging' },
      { id: 'a'.repeat(32), title: 'demo-api-keys-production' },
    );
    const { root, deploy } = await emulatedProject('kv-found', [], account);
    const result = await deploy(['--env', 'production', '--only', 'api,receiver']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await boundIds(root, 'production')).toEqual({ api: 'a'.repeat(32), receiver: 'a'.repeat(32) });
    expect(account.state.kvNamespaces.filter((namespace) => namespace.title.startsWith('demo-api-keys'))).toHaveLength(2);
    expect(result.stdout).toContain('(found on Cloudflare)');
  });

  it('stops before creating anything when a config that needs the id was edited, or when the configs disagree', async () => {
    const { root, account, deploy } = await emulatedProject('kv-edited');
    const receiverConfig = join(root, 'workers/receiver/wrangler.jsonc');
    await writeFile(receiverConfig, `${await readFile(receiverConfig, 'utf8')}// the team's note\n`);
    const edited = await deploy(['--env', 'staging']);
    expect(edited.exitCode).toBe(1);
    expect(edited.stderr).toMatch(
      /workers\/receiver\/wrangler\.jsonc changed since appshell wrote it, and its API_KEYS in env\.staging\.kv_namespaces has no id/,
    );
    expect(account.state.kvNamespaces).toEqual([]);
    expect(uploadedScripts(account)).toEqual([]);

    // The team puts an id into the receiver's config by hand; the api's (appshell's own) gets a different one.
    const manifestPath = join(root, 'appshell.json');
    const manifest = await readJson(manifestPath);
    await writeFile(manifestPath, `${JSON.stringify({ ...manifest, kvNamespaces: { staging: { API_KEYS: 'c'.repeat(32) } } }, null, 2)}\n`);
    const config = JSON.parse((await readFile(receiverConfig, 'utf8')).replace(/^\/\/.*$/gm, ''));
    config.env.staging.kv_namespaces.find((entry: { binding: string }) => entry.binding === 'API_KEYS').id = 'd'.repeat(32);
    await writeFile(receiverConfig, `${JSON.stringify(config, null, 2)}\n`);
    const disagree = await deploy(['--env', 'staging']);
    expect(disagree.exitCode).toBe(1);
    expect(disagree.stderr).toMatch(/API_KEYS in --env staging must be one KV namespace for api and receiver/);
    expect(uploadedScripts(account)).toEqual([]);
  });
});

// The recording stand-in stays for what the real wrangler cannot show (the exact arguments and environment appshell
// gives it) and for preflights that stop before any wrangler call would reach an account.
describe('appshell deploy through a recording wrangler', () => {
  it('passes --config, --env, WRANGLER_SEND_METRICS=false and an output file on every call', async () => {
    const { wrangler, deploy } = await project('order');
    const result = await deploy(['--env', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    const calls = deployCalls(await wrangler.calls());
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      // A first deploy: the secrets go in a file (0600, gone after the run), never as a value on argv.
      const file = call.argv[call.argv.indexOf('--secrets-file') + 1]!;
      expect(call.argv).toEqual(['deploy', '--config', configOf(call.argv), '--env', 'staging', '--secrets-file', file]);
      expect(call.secretsFile?.mode).toBe('600');
      expect(existsSync(file)).toBe(false);
      expect(call.env.WRANGLER_SEND_METRICS).toBe('false');
      expect(call.env.WRANGLER_OUTPUT_FILE_PATH).toMatch(/\.ndjson$/);
    }
    const hashes = (worker: string) =>
      calls.find((call) => configOf(call.argv) === `workers/${worker}/wrangler.jsonc`)!.secretsFile!.sha256;
    expect(hashes('api').SESSION_JWT_SECRET).toBe(hashes('auth-shim').SESSION_JWT_SECRET);
    expect(hashes('receiver').SIGNING_SECRETS).toBe(hashes('sender').SIGNING_SECRETS);
    // KV creation never lets wrangler touch a config.
    expect((await wrangler.calls()).find((call) => call.argv.slice(0, 3).join(' ') === 'kv namespace create')?.argv).toContain(
      '--no-update-config',
    );
  });

  describe('preflight failures deploy nothing', () => {
    it.each([
      ['not logged in', ['--env', 'staging'], { FAKE_WRANGLER_LOGGED_OUT: '1' }, 1, /not logged in/],
      ['unknown environment', ['--env', 'prod'], {}, 2, /--env: 'prod' is not an environment/],
      ['no environment', [], {}, 2, /--env is required/],
      ['unknown Worker in --only', ['--env', 'staging', '--only', 'gateway'], {}, 2, /--only: 'gateway'/],
      [
        'wrangler missing',
        ['--env', 'staging'],
        { APPSHELL_WRANGLER: '/nonexistent/wrangler' },
        1,
        /could not run \/nonexistent\/wrangler/,
      ],
    ])('%s', async (_name, args, env, code, message) => {
      const { wrangler, deploy } = await project(`preflight-${String(_name).replace(/\W+/g, '-')}`);
      const result = await deploy(args as string[], env as Record<string, string>);
      expect(result.exitCode).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(deployCalls(await wrangler.calls())).toEqual([]);
    });

    it('a project with --yes answers: every empty value and the development origin, named with how to set it', async () => {
      const dir = join(workspace.dir, 'not-ready');
      await mkdir(dir);
      expect((await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--features', 'ai'], { cwd: dir })).exitCode).toBe(
        0,
      );
      const root = join(dir, 'demo');
      const apiConfig = join(root, 'workers/api/wrangler.jsonc');
      const written = await readFile(apiConfig, 'utf8');
      await writeFile(apiConfig, written.replace(/("production": \{[\s\S]*?"ALLOWED_ORIGINS": )""/, '$1"http://localhost:3000"'));
      const wrangler = fakeWrangler(dir);
      const result = await runCli(['deploy', '--env', 'production'], { cwd: root, env: wrangler.env() });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('--env production is not ready to deploy; nothing was deployed');
      expect(result.stderr).toMatch(
        /INSTANT_APP_ID is empty in workers\/auth-shim\/wrangler\.jsonc \(env production\)[^\n]*\n\s+set it: npx appshell config set identity\.instantAppId <value>/,
      );
      expect(result.stderr).toMatch(
        /R2_ACCOUNT_ID is empty in workers\/api\/wrangler\.jsonc[^\n]*\n\s+set it: npx appshell config set accountId <value>/,
      );
      expect(result.stderr).toMatch(/CF_ACCOUNT_ID is empty/);
      expect(result.stderr).toMatch(
        /ALLOWED_ORIGINS in workers\/api\/wrangler\.jsonc \(env production\) allows http:\/\/localhost:3000[^\n]*\n\s+set it: npx appshell config set origins\.production/,
      );
      // Refused before wrangler was even asked its version.
      expect(await wrangler.calls()).toEqual([]);
      // A dry run says the same, as a warning, and bundles.
      const dry = await runCli(['deploy', '--env', 'production', '--dry-run'], { cwd: root, env: wrangler.env() });
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('A real deploy of --env production would refuse:');
      // Set as the message says (the hand edit undone first), the deploy goes through.
      await writeFile(apiConfig, written);
      for (const [field, value] of [
        ['accountId', 'e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1'],
        ['identity.instantAppId', '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'],
        ['origins.production', 'https://app.example.com'],
      ]) {
        const set = await runCli(['config', 'set', field!, value!], { cwd: root });
        expect(set.exitCode, set.stdout + set.stderr).toBe(0);
      }
      const ready = await runCli(['deploy', '--env', 'production'], { cwd: root, env: wrangler.env() });
      expect(ready.exitCode, ready.stdout + ready.stderr).toBe(0);
    });

    it('outside a project', async () => {
      const result = await runCli(['deploy', '--env', 'staging'], { cwd: workspace.dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/no appshell\.json/);
    });
  });
});

describe('appshell deploy --dry-run with the real wrangler', () => {
  let root: string;
  beforeAll(async () => {
    const dir = join(workspace.dir, 'real');
    await mkdir(dir);
    expect(
      (await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--features', 'ai,images,stream'], { cwd: dir })).exitCode,
    ).toBe(0);
    root = join(dir, 'demo');
    // The repository's packages stand in for `npm install`.
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  });

  it('bundles every Worker and reports raw and gzip sizes', async () => {
    const result = await runCli(['deploy', '--dry-run', '--env', 'production', '--json'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { workers: { status: string; rawBytes: number; gzipBytes: number }[] };
    expect(report.workers).toHaveLength(4);
    for (const worker of report.workers) {
      expect(worker.status).toBe('bundled');
      expect(worker.rawBytes).toBeGreaterThan(1000);
      expect(worker.gzipBytes).toBeGreaterThan(100);
      expect(worker.gzipBytes).toBeLessThan(worker.rawBytes);
    }
  });

  it('bundles configs that bind the shared KV namespace by its id (written by a re-run of init from appshell.json)', async () => {
    const manifestPath = join(root, 'appshell.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(
      manifestPath,
      `${JSON.stringify({ ...manifest, kvNamespaces: { production: { API_KEYS: 'e'.repeat(32) } } }, null, 2)}\n`,
    );
    const rerun = await runCli(
      ['init-worker', '.', '--yes', '--no-install', '--no-git', '--name', 'demo', '--features', 'ai,images,stream'],
      { cwd: root },
    );
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(await readFile(join(root, 'workers/receiver/wrangler.jsonc'), 'utf8')).toContain(`"id": "${'e'.repeat(32)}"`);
    const result = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api,receiver'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('has no KV namespace id');
  });

  it('fails on a bundle over the plan limit', async () => {
    // 4 MB of incompressible data pushes the api Worker over the free plan's 3 MB gzip limit.
    await writeFile(
      join(root, 'workers/api/src/ballast.ts'),
      `export const ballast = '${randomBytes(3 * 1024 * 1024).toString('base64')}';\n`,
    );
    await writeFile(
      join(root, 'workers/api/src/index.ts'),
      `import { ballast } from './ballast.js';\nconsole.log(ballast.length);\n${await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'workers/api/src/index.ts'), 'utf8'))}`,
    );
    const result = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api'], { cwd: root });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/gzip is over the free plan's limit of 3\.00 MiB/);
    const paid = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api', '--plan', 'paid'], { cwd: root });
    expect(paid.exitCode, paid.stderr).toBe(0);
  });
});
