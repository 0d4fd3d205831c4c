// A generated project runs its own scripts through the appshell it depends on: here that appshell is installed from
// `npm pack` of this repository (as a published one would be), and `npm run deploy` / `npm run rehearse` go through
// it with the real wrangler to an emulated account.
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountServer, type RunningAccountServer } from '../fixtures/stand-ins/cloudflare-account.js';
import { makeTempDir, productionAnswers, repoRoot, runCli } from './support/cli.js';

let workspace: { dir: string; remove: () => Promise<void> };
let project: string;
let account: RunningAccountServer | undefined;
const quiet = { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' };

beforeAll(async () => {
  workspace = await makeTempDir('appshell-packed-');
  const pack = await execa('npm', ['pack', '--pack-destination', workspace.dir, '--json'], { cwd: repoRoot, env: quiet });
  const tarball = join(workspace.dir, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  const init = await runCli(
    ['init-worker', 'demo', '--yes', '--no-git', '--no-install', '--workers', 'auth-shim,api', ...productionAnswers],
    { cwd: workspace.dir },
  );
  expect(init.exitCode, init.stderr).toBe(0);
  project = join(workspace.dir, 'demo');
  const manifestPath = join(project, 'package.json');
  const pkg = JSON.parse(await readFile(manifestPath, 'utf8'));
  pkg.devDependencies.appshell = `file:${tarball}`;
  await writeFile(manifestPath, `${JSON.stringify(pkg, null, 2)}\n`);
  const install = await execa('npm', ['install'], { cwd: project, reject: false, all: true, env: quiet });
  expect(install.exitCode, install.all).toBe(0);
});

afterAll(async () => {
  await account?.close();
  await workspace?.remove();
});

describe('the generated project, with appshell from a packed tarball', () => {
  it('installs the packed appshell as a package, not a link to this checkout', async () => {
    expect((await lstat(join(project, 'node_modules/appshell'))).isSymbolicLink()).toBe(false);
    const bin = await execa('npx', ['--no', '--', 'appshell', '--version'], { cwd: project, env: quiet });
    expect(bin.stdout.trim()).toBe(JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('npm run deploy deploys every Worker with its secrets to the (emulated) account', async () => {
    account = await startAccountServer();
    const result = await execa('npm', ['run', 'deploy', '--', '--env', 'staging', '--yes'], {
      cwd: project,
      reject: false,
      all: true,
      env: { ...quiet, ...account.wranglerEnv() },
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(Object.keys(account.state.scripts).sort()).toEqual(['demo-api-staging', 'demo-auth-shim-staging']);
    const secrets = (name: string) => account!.state.scripts[name]!.secrets;
    expect(secrets('demo-api-staging').SESSION_JWT_SECRET).toBe(secrets('demo-auth-shim-staging').SESSION_JWT_SECRET);
    // The values the project was set up with went up with it.
    const vars = account.state.scripts['demo-auth-shim-staging']!.versions.at(-1)!.bindings.filter(
      (binding) => binding.type === 'plain_text',
    );
    expect(vars.find((binding) => binding.name === 'INSTANT_APP_ID')?.text).toBe(
      productionAnswers[productionAnswers.indexOf('--instant-app-id') + 1],
    );
  });

  it('npm run rehearse: the deployed auth shim issues a session and the deployed api accepts it', async () => {
    const result = await execa('npm', ['run', 'rehearse'], {
      cwd: project,
      reject: false,
      all: true,
      env: { ...quiet, CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '' },
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('✓ session from the auth shim');
    expect(result.all).toContain('✓ authenticated API call');
    expect(result.all).toContain('Rehearsal passed');
  });
});
