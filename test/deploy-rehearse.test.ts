// `appshell deploy --rehearse`: the real wrangler (4.86.0 here) deploys a default project to an emulated account,
// and the smoke flow runs against the Workers in workerd. The team's files are never touched.
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, productionAnswers, repoRoot, runCli, snapshotTree } from './support/cli.js';

interface Report {
  ok: boolean;
  env: string;
  steps: { name: string; ok: boolean; detail?: string }[];
  failedStep?: string;
}

let workspace: { dir: string; remove: () => Promise<void> };
let root: string;
/** Nothing of the rehearsal's own may reach the environment it runs in: no Cloudflare credentials at all. */
const rehearse = (args: string[]) =>
  runCli(['deploy', '--rehearse', ...args], {
    cwd: root,
    env: { CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '', CLOUDFLARE_API_BASE_URL: '' },
  });

beforeAll(async () => {
  workspace = await makeTempDir('appshell-rehearse-');
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--ci', 'github', ...productionAnswers], {
    cwd: workspace.dir,
  });
  expect(init.exitCode, init.stderr).toBe(0);
  root = join(workspace.dir, 'demo');
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
});

afterAll(() => workspace?.remove());

describe('appshell deploy --rehearse', () => {
  it('is what the generated project offers: npm run rehearse, in its README and its CI workflow, with .rehearsal/ ignored', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.rehearse).toBe('appshell deploy --rehearse --env staging');
    expect(await readFile(join(root, 'README.md'), 'utf8')).toContain('npm run rehearse');
    expect(await readFile(join(root, '.github/workflows/deploy.yml'), 'utf8')).toContain('- run: npm run rehearse');
    expect(await readFile(join(root, '.gitignore'), 'utf8')).toContain('.rehearsal/');
  });

  it("passes on a default project: every step, and not one of the team's files changed", async () => {
    const before = await snapshotTree(root);
    const result = await rehearse(['--env', 'staging']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    for (const step of [
      'deploy',
      'push secrets',
      'session from the auth shim',
      'authenticated API call',
      'upload',
      'download',
      'signed sender → receiver action',
    ]) {
      expect(result.stdout).toContain(`✓ ${step}`);
    }
    expect(result.stdout).toContain('Rehearsal passed');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('keeps the account with --rehearse-state, so the next rehearsal is a second deploy', async () => {
    const stateDir = join(workspace.dir, 'state');
    const first = await rehearse(['--env', 'staging', '--rehearse-state', stateDir, '--json']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const account = JSON.parse(await readFile(join(stateDir, 'account.json'), 'utf8')) as {
      scripts: Record<string, { versions: unknown[] }>;
    };
    expect(Object.keys(account.scripts)).toHaveLength(4);
    const second = await rehearse(['--env', 'staging', '--rehearse-state', stateDir, '--json']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as Report;
    expect(report.ok).toBe(true);
    const again = JSON.parse(await readFile(join(stateDir, 'account.json'), 'utf8')) as typeof account;
    expect(again.scripts['demo-api-staging']!.versions).toHaveLength(2);
  });

  it('fails naming the step when the api reads a secret nobody pushes', async () => {
    const indexPath = join(root, 'workers/api/src/index.ts');
    const original = await readFile(indexPath, 'utf8');
    // The team adds a billing check that needs BILLING_API_KEY, and forgets to declare or push it.
    await writeFile(
      indexPath,
      original.replace(
        'export default app;',
        [
          'export default {',
          '  fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext) {',
          "    if (new URL(request.url).pathname.startsWith('/v1/') && !env.BILLING_API_KEY) {",
          "      return Response.json({ error: { code: 'misconfigured', message: 'Server misconfigured' } }, { status: 500 });",
          '    }',
          '    return app.fetch(request, env as never, ctx);',
          '  },',
          '};',
        ].join('\n'),
      ),
    );
    try {
      const result = await rehearse(['--env', 'staging']);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/✗ authenticated API call: GET \/v1\/projects answered 500, expected 200 \(misconfigured/);
      expect(result.stdout).toContain('Rehearsal failed at: authenticated API call');
      expect(result.stdout).not.toMatch(/[✓✗] upload/);
    } finally {
      await writeFile(indexPath, original);
    }
  });

  it('fails at the deploy, as the real one would, on a project with --yes answers: empty ids and a development origin', async () => {
    const bare = join(workspace.dir, 'bare');
    await runCli(['init-worker', 'bare', '--yes', '--no-install', '--no-git'], { cwd: workspace.dir });
    await symlink(join(repoRoot, 'node_modules'), join(bare, 'node_modules'));
    // A development origin typed into the deployed block by hand.
    const apiConfig = join(bare, 'workers/api/wrangler.jsonc');
    await writeFile(
      apiConfig,
      (await readFile(apiConfig, 'utf8')).replace(/("staging": \{[\s\S]*?"ALLOWED_ORIGINS": )""/, '$1"http://localhost:3000"'),
    );
    const result = await runCli(['deploy', '--rehearse', '--env', 'staging'], {
      cwd: bare,
      env: { CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Rehearsal failed at: deploy');
    expect(result.stdout).toMatch(/INSTANT_APP_ID is empty in workers\/auth-shim\/wrangler\.jsonc \(env staging\)/);
    expect(result.stdout).toMatch(/R2_ACCOUNT_ID is empty/);
    expect(result.stdout).toMatch(/ALLOWED_ORIGINS in workers\/api\/wrangler\.jsonc \(env staging\) allows http:\/\/localhost:3000/);
    expect(result.stdout).not.toMatch(/✓ push secrets/);
  });

  it('passes on a project with the edge rate limiter: its ratelimits bindings go up and count in workerd', async () => {
    const edge = join(workspace.dir, 'edge');
    expect(
      (
        await runCli(['init-worker', 'edge', '--yes', '--no-install', '--no-git', '--rate-limiter', 'edge', ...productionAnswers], {
          cwd: workspace.dir,
        })
      ).exitCode,
    ).toBe(0);
    await symlink(join(repoRoot, 'node_modules'), join(edge, 'node_modules'));
    const result = await runCli(['deploy', '--rehearse', '--env', 'staging'], {
      cwd: edge,
      env: { CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '' },
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ authenticated API call');
    expect(result.stdout).toContain('Rehearsal passed');
  });

  it('refuses --only and an unknown environment before anything runs', async () => {
    const only = await rehearse(['--env', 'staging', '--only', 'api']);
    expect(only.exitCode).toBe(2);
    expect(only.stderr).toMatch(/--only cannot be used with --rehearse/);
    const unknown = await rehearse(['--env', 'prod']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--env: 'prod' is not an environment/);
  });
});
