import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, runCli } from './support/cli.js';
import { fakeWrangler } from './support/fake-wrangler.js';

let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-deploy-');
});
afterAll(() => workspace.remove());

/** A generated project (no install) and a fresh stand-in wrangler beside it. */
async function project(name: string, flags: string[] = []) {
  const dir = join(workspace.dir, name);
  await mkdir(dir);
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', ...flags], { cwd: dir });
  expect(init.exitCode, init.stderr).toBe(0);
  const root = join(dir, 'demo');
  const wrangler = fakeWrangler(dir);
  const deploy = (args: string[], env: Record<string, string> = {}) => runCli(['deploy', ...args], { cwd: root, env: wrangler.env(env) });
  return { root, wrangler, deploy };
}

const deployCalls = <T extends { argv: string[] }>(calls: T[]) => calls.filter((call) => call.argv[0] === 'deploy');
const configOf = (argv: string[]) => argv[argv.indexOf('--config') + 1];

describe('appshell deploy through a recording wrangler', () => {
  it('deploys every Worker after the Workers it binds, with --config, --env and an output file', async () => {
    const { wrangler, deploy } = await project('order');
    const result = await deploy(['--env', 'staging']);
    expect(result.exitCode, result.stderr).toBe(0);
    const calls = deployCalls(await wrangler.calls());
    const order = calls.map((call) => configOf(call.argv));
    expect(order).toHaveLength(4);
    expect(order.indexOf('workers/receiver/wrangler.jsonc')).toBeLessThan(order.indexOf('workers/sender/wrangler.jsonc'));
    for (const call of calls) {
      expect(call.argv).toEqual(['deploy', '--config', configOf(call.argv), '--env', 'staging']);
      expect(call.env.WRANGLER_SEND_METRICS).toBe('false');
      expect(call.env.WRANGLER_OUTPUT_FILE_PATH).toMatch(/\.ndjson$/);
    }
    expect(result.stdout).toContain('wrangler 4.86.0');
    expect(result.stdout).toMatch(/api deployed as demo-api-staging: https:\/\/demo-api-staging\.example\.workers\.dev, version v-demo-api-staging/);
    // First deploy: the Workers did not exist, so their secrets were not required yet.
    expect(result.stdout).toContain('demo-api-staging does not exist yet');
  });

  it('deploys the auth shim before the api when the api binds it (EdDSA)', async () => {
    const { wrangler, deploy } = await project('eddsa', ['--jwt-alg', 'EdDSA']);
    expect((await deploy(['--env', 'production'])).exitCode).toBe(0);
    const order = deployCalls(await wrangler.calls()).map((call) => configOf(call.argv));
    expect(order.indexOf('workers/auth-shim/wrangler.jsonc')).toBeLessThan(order.indexOf('workers/api/wrangler.jsonc'));
  });

  it('deploys only --only Workers of a subset project, in order, with toml configs', async () => {
    const { wrangler, deploy } = await project('subset', ['--workers', 'sender,receiver', '--config-format', 'toml', '--envs', 'preview']);
    const result = await deploy(['--env', 'preview', '--only', 'sender,receiver', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const order = deployCalls(await wrangler.calls()).map((call) => configOf(call.argv));
    expect(order).toEqual(['workers/receiver/wrangler.toml', 'workers/sender/wrangler.toml']);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      ok: true,
      env: 'preview',
      dryRun: false,
      wrangler: { version: '4.86.0', source: 'APPSHELL_WRANGLER' },
      workers: [
        { worker: 'receiver', scriptName: 'demo-receiver-preview', status: 'deployed', url: 'https://demo-receiver-preview.example.workers.dev', versionId: 'v-demo-receiver-preview' },
        { worker: 'sender', scriptName: 'demo-sender-preview', status: 'deployed' },
      ],
    });
  });

  it('stops at the first failure and says what is deployed, what failed and what was not attempted', async () => {
    const { wrangler, deploy } = await project('failure');
    const result = await deploy(['--env', 'production', '--json'], { FAKE_WRANGLER_FAIL: 'deploy:demo-api-production' });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; workers: { worker: string; status: string }[] };
    expect(report.ok).toBe(false);
    const statuses = Object.fromEntries(report.workers.map((worker) => [worker.worker, worker.status]));
    expect(statuses.api).toBe('failed');
    const apiIndex = report.workers.findIndex((worker) => worker.worker === 'api');
    expect(report.workers.slice(0, apiIndex).every((worker) => worker.status === 'deployed')).toBe(true);
    expect(report.workers.slice(apiIndex + 1).every((worker) => worker.status === 'not-attempted')).toBe(true);
    const attempted = deployCalls(await wrangler.calls()).map((call) => configOf(call.argv));
    expect(attempted).toHaveLength(apiIndex + 1);

    // The Workers deployed above now exist without secrets: the preflight would stop a second run.
    await wrangler.setState({});
    const text = await deploy(['--env', 'production'], { FAKE_WRANGLER_FAIL: 'deploy:demo-api-production' });
    expect(text.exitCode).toBe(1);
    expect(text.stderr).toContain('simulated for demo-api-production');
    expect(text.stdout).toMatch(/Failed: demo-api-production/);
    expect(text.stdout).toMatch(/Not attempted: /);
  });

  describe('KV namespaces that several Workers share (API_KEYS: receiver and api)', () => {
    const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
    /** The id each Worker's config binds API_KEYS to in `env` (jsonc: the comment header is skipped). */
    const boundIds = async (root: string, env: string) => {
      const ids: Record<string, string | undefined> = {};
      for (const worker of ['api', 'receiver']) {
        const text = await readFile(join(root, `workers/${worker}/wrangler.jsonc`), 'utf8');
        const config = JSON.parse(text.replace(/^\/\/.*$/gm, ''));
        const entries = config.env[env].kv_namespaces as { binding: string; id?: string }[];
        ids[worker] = entries.find((entry) => entry.binding === 'API_KEYS')?.id;
        // Namespaces of one Worker stay wrangler's to provision.
        expect(entries.filter((entry) => entry.binding !== 'API_KEYS').every((entry) => entry.id === undefined)).toBe(true);
      }
      return ids;
    };

    it('creates one namespace per environment before the first deploy and writes its id into both configs', async () => {
      const { root, wrangler, deploy } = await project('kv-create');
      const result = await deploy(['--env', 'staging', '--json']);
      expect(result.exitCode, result.stderr).toBe(0);
      const namespaces = await wrangler.kv();
      expect(namespaces.map((entry) => entry.title)).toEqual(['demo-api-keys-staging']);
      const id = namespaces[0]!.id;
      expect(JSON.parse(result.stdout).kvNamespaces).toEqual([
        { binding: 'API_KEYS', title: 'demo-api-keys-staging', id, source: 'created', workers: ['api', 'receiver'] },
      ]);
      expect((await readJson(join(root, 'appshell.json'))).kvNamespaces).toEqual({ staging: { API_KEYS: id } });
      expect(await boundIds(root, 'staging')).toEqual({ api: id, receiver: id });
      expect(await boundIds(root, 'production')).toEqual({ api: undefined, receiver: undefined });
      // Every KV call came before the first deploy; the create did not let wrangler touch a config.
      const calls = await wrangler.calls();
      const firstDeploy = calls.findIndex((call) => call.argv[0] === 'deploy');
      const kvCalls = calls.map((call, index) => ({ call, index })).filter(({ call }) => call.argv[0] === 'kv');
      expect(kvCalls.map(({ call }) => call.argv.slice(0, 3).join(' '))).toEqual(['kv namespace list', 'kv namespace create', 'kv namespace list']);
      expect(kvCalls.every(({ index }) => index < firstDeploy)).toBe(true);
      expect(kvCalls[1]!.call.argv).toContain('--no-update-config');
      // The rewritten configs are appshell's own output: a re-run of init changes nothing.
      const again = await runCli(['init-worker', '.', '--yes', '--no-install', '--no-git', '--name', 'demo'], { cwd: root });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).toContain('Nothing to change');

      // A second deploy uses the recorded id and creates nothing (the stand-in forgets the Workers, so that the
      // secrets preflight does not stop it).
      await wrangler.reset();
      await wrangler.setState({});
      const second = await deploy(['--env', 'staging']);
      expect(second.exitCode, second.stderr).toBe(0);
      expect((await wrangler.calls()).filter((call) => call.argv[0] === 'kv')).toEqual([]);
      expect(second.stdout).toContain(`KV namespace API_KEYS (--env staging): demo-api-keys-staging, id ${id} (recorded in appshell.json)`);
      expect(await wrangler.kv()).toHaveLength(1);
    });

    it('adopts an existing namespace of that title instead of creating one', async () => {
      const { root, wrangler, deploy } = await project('kv-found');
      const id = 'a'.repeat(32);
      await wrangler.setKv([{ id: 'b'.repeat(32), title: 'demo-api-keys-staging' }, { id, title: 'demo-api-keys-production' }]);
      const result = await deploy(['--env', 'production']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect((await wrangler.calls()).some((call) => call.argv.includes('create'))).toBe(false);
      expect(await boundIds(root, 'production')).toEqual({ api: id, receiver: id });
      expect(result.stdout).toContain('(found on Cloudflare)');
    });

    it('stops before creating anything when a config that needs the id was edited, or when the configs disagree', async () => {
      const { root, wrangler, deploy } = await project('kv-edited');
      const receiverConfig = join(root, 'workers/receiver/wrangler.jsonc');
      await writeFile(receiverConfig, `${await readFile(receiverConfig, 'utf8')}// the team's note\n`);
      const edited = await deploy(['--env', 'staging']);
      expect(edited.exitCode).toBe(1);
      expect(edited.stderr).toMatch(/workers\/receiver\/wrangler\.jsonc changed since appshell wrote it, and its API_KEYS in env\.staging\.kv_namespaces has no id/);
      expect(await wrangler.kv()).toEqual([]);
      expect(deployCalls(await wrangler.calls())).toEqual([]);

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
      expect(deployCalls(await wrangler.calls())).toEqual([]);
    });

    it('a dry run creates nothing and says what a deploy would do', async () => {
      const { wrangler, deploy } = await project('kv-dry');
      const result = await deploy(['--env', 'staging', '--dry-run']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('a real deploy finds or creates demo-api-keys-staging first');
      expect((await wrangler.calls()).filter((call) => call.argv[0] === 'kv')).toEqual([]);
    });
  });

  describe('preflight failures deploy nothing', () => {
    it.each([
      ['not logged in', ['--env', 'staging'], { FAKE_WRANGLER_LOGGED_OUT: '1' }, 1, /not logged in/],
      ['unknown environment', ['--env', 'prod'], {}, 2, /--env: 'prod' is not an environment/],
      ['no environment', [], {}, 2, /--env is required/],
      ['unknown Worker in --only', ['--env', 'staging', '--only', 'gateway'], {}, 2, /--only: 'gateway'/],
      ['wrangler missing', ['--env', 'staging'], { APPSHELL_WRANGLER: '/nonexistent/wrangler' }, 1, /could not run \/nonexistent\/wrangler/],
    ])('%s', async (_name, args, env, code, message) => {
      const { wrangler, deploy } = await project(`preflight-${String(_name).replace(/\W+/g, '-')}`);
      const result = await deploy(args as string[], env as Record<string, string>);
      expect(result.exitCode).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(deployCalls(await wrangler.calls())).toEqual([]);
    });

    it('missing secrets of an existing Worker', async () => {
      const { wrangler, deploy } = await project('preflight-secrets');
      await wrangler.setState({ 'demo-api-staging': [], 'demo-receiver-staging': [] });
      const result = await deploy(['--env', 'staging']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/secrets missing for --env staging/);
      expect(result.stderr).toMatch(/demo-api-staging: SESSION_JWT_SECRET/);
      expect(deployCalls(await wrangler.calls())).toEqual([]);
    });

    it('counts a secret kept in its rotation slot as set (after a finished rotation)', async () => {
      const { wrangler, deploy } = await project('preflight-slots');
      await wrangler.setState({
        'demo-auth-shim-staging': ['SESSION_JWT_SECRET_NEXT'],
        'demo-api-staging': ['SESSION_JWT_SECRET'],
        'demo-sender-staging': ['SIGNING_SECRETS_NEXT'],
        'demo-receiver-staging': ['SESSION_JWT_SECRET_NEXT', 'SIGNING_SECRETS'],
      });
      const result = await deploy(['--env', 'staging']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(deployCalls(await wrangler.calls())).toHaveLength(4);
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
    expect((await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--features', 'ai,images,stream'], { cwd: dir })).exitCode).toBe(0);
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
    await writeFile(manifestPath, `${JSON.stringify({ ...manifest, kvNamespaces: { production: { API_KEYS: 'e'.repeat(32) } } }, null, 2)}\n`);
    const rerun = await runCli(['init-worker', '.', '--yes', '--no-install', '--no-git', '--name', 'demo', '--features', 'ai,images,stream'], { cwd: root });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(await readFile(join(root, 'workers/receiver/wrangler.jsonc'), 'utf8')).toContain(`"id": "${'e'.repeat(32)}"`);
    const result = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api,receiver'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('has no KV namespace id');
  });

  it('fails on a bundle over the plan limit', async () => {
    // 4 MB of incompressible data pushes the api Worker over the free plan's 3 MB gzip limit.
    await writeFile(join(root, 'workers/api/src/ballast.ts'), `export const ballast = '${randomBytes(3 * 1024 * 1024).toString('base64')}';\n`);
    await writeFile(join(root, 'workers/api/src/index.ts'), `import { ballast } from './ballast.js';\nconsole.log(ballast.length);\n${await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'workers/api/src/index.ts'), 'utf8'))}`);
    const result = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api'], { cwd: root });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/gzip is over the free plan's limit of 3\.00 MiB/);
    const paid = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'api', '--plan', 'paid'], { cwd: root });
    expect(paid.exitCode, paid.stderr).toBe(0);
  });
});
