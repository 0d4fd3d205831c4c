import { access, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { makeTempDir, productionAnswers, repoRoot, runCli, snapshotTree } from './support/cli.js';
import { expectEnvTypesFollowTheConfig } from './support/types-check.js';

const workers = ['auth-shim', 'api', 'sender', 'receiver'];

// The main job, end to end: scaffold with the built CLI, install, run the project's own tests in workerd,
// and bundle every Worker for every environment with the real wrangler.
describe.each(['jsonc', 'toml'] as const)('init-worker --yes --config-format %s', (format) => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let project: string;
  let init: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    workspace = await makeTempDir();
    project = join(workspace.dir, 'demo');
    // jsonc: a project as a team ships it (its account, identity app and origin, the GitHub workflow); toml: --yes alone.
    const shipped = format === 'jsonc' ? ['--ci', 'github', ...productionAnswers] : ['--no-git'];
    init = await runCli(['init-worker', 'demo', '--yes', '--config-format', format, ...shipped], {
      cwd: workspace.dir,
    });
  });
  afterAll(() => workspace.remove());

  it('scaffolds and installs', () => {
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toMatch(/Done: \d+ created, 0 updated\./);
    expect(init.stdout).toContain('Dependencies installed');
  });

  it("passes the generated project's own npm test (jsonc: every step of its CI workflow's test job, in order)", async () => {
    const env = { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '' };
    let steps = ['npm test'];
    if (format === 'jsonc') {
      const workflow = parseYaml(await readFile(join(project, '.github/workflows/deploy.yml'), 'utf8')) as {
        jobs: { test: { steps: { run?: string }[] } };
      };
      steps = workflow.jobs.test.steps.flatMap((step) => (step.run ? [step.run] : []));
      expect(steps).toEqual(['npm ci', 'npm run typecheck', 'npm test', 'npm run rehearse']);
    }
    for (const step of steps) {
      const result = await execa(step, { shell: true, cwd: project, reject: false, all: true, env });
      expect(result.exitCode, `${step}:\n${result.all}`).toBe(0);
      if (step === 'npm test') {
        expect(result.all).toMatch(/Test Files\s+\S*\s*\d+ passed/);
        for (const worker of workers) expect(result.all).toMatch(new RegExp(`[| ]${worker}[| ] test/`));
      }
      if (step === 'npm run rehearse') expect(result.all).toContain('Rehearsal passed');
    }
  });

  it("writes each Worker's Env types with wrangler on install, and type-checks against them", async () => {
    for (const worker of workers) await access(join(project, 'workers', worker, 'worker-configuration.d.ts'));
    if (format === 'jsonc') {
      // Installed before the first commit, so the commit holds the lock file and the types.
      const tracked = await execa('git', ['ls-files'], { cwd: project });
      expect(tracked.stdout).toContain('package-lock.json');
      expect(tracked.stdout).toContain('workers/api/worker-configuration.d.ts');
    }
    // wrangler 4.86 here: its own --check ignores --env-file (workers-sdk#13679), so scripts/types.mjs compares hashes.
    // That check reads the config file whatever its format: the edit-and-repair cycle runs once (jsonc); toml shows
    // that its install wrote types the project type-checks against.
    const run = (command: string, args: string[]) => execa(command, args, { cwd: project, reject: false, all: true });
    if (format === 'jsonc') await expectEnvTypesFollowTheConfig(project, format, run);
    else {
      const typecheck = await run('npm', ['run', 'typecheck']);
      expect(typecheck.exitCode, typecheck.all).toBe(0);
    }
  });

  // jsonc: every environment; toml: the one writer renders the same blocks, so one environment proves wrangler reads them.
  it.each(workers)(
    `bundles %s with wrangler deploy --dry-run for ${format === 'jsonc' ? 'every environment' : 'production'}`,
    async (worker) => {
      for (const env of format === 'jsonc' ? ['', 'staging', 'production'] : ['production']) {
        const result = await execa(
          'npx',
          ['wrangler', 'deploy', '--dry-run', '--outdir', join(workspace.dir, 'bundles', format, worker, env || 'top'), `--env=${env}`],
          { cwd: join(project, 'workers', worker), reject: false, all: true, env: { WRANGLER_SEND_METRICS: 'false' } },
        );
        expect(result.exitCode, result.all).toBe(0);
        expect(result.all).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
        expect(result.all).toContain('--dry-run: exiting now.');
      }
    },
  );

  it('runs appshell dev as npm run dev, through the appshell it depends on', async () => {
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(pkg.devDependencies.appshell).toBe(`file:${resolve(repoRoot)}`);
    expect(pkg.scripts.dev).toBe('appshell dev');
    if (format === 'toml') return; // once is enough: the ports are fixed
    // Its own process group, as a terminal runs it: Ctrl-C sends SIGINT to npm, appshell and every wrangler at once.
    const dev = execa('npm', ['run', 'dev'], {
      cwd: project,
      reject: false,
      stdin: 'ignore',
      all: true,
      detached: true,
      env: { FORCE_COLOR: '0' },
    });
    try {
      let text = '';
      await new Promise<void>((started, reject) => {
        const timer = setTimeout(() => reject(new Error(`appshell dev did not start:\n${text}`)), 120_000);
        dev.all?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('Ctrl-C stops every Worker.')) {
            clearTimeout(timer);
            started();
          }
        });
      });
      // appshell dev's own walkthrough: a session from the local identity stand-in, used on the API.
      const session = await fetch('http://127.0.0.1:8787/auth/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: 'dev-user:alice' }),
      });
      expect(session.status).toBe(200);
      const { token } = (await session.json()) as { token: string };
      const hello = await fetch('http://127.0.0.1:8788/v1/hello', { headers: { authorization: `Bearer ${token}` } });
      expect(await hello.json()).toMatchObject({ hello: 'alice' });
    } finally {
      process.kill(-dev.pid!, 'SIGINT');
      const stopped = await Promise.race([dev.then(() => true), new Promise<false>((done) => setTimeout(() => done(false), 30_000))]);
      if (!stopped) process.kill(-dev.pid!, 'SIGKILL');
      expect(stopped, 'appshell dev stops on Ctrl-C').toBe(true);
    }
  });

  it('changes nothing when run again', async () => {
    const before = await snapshotTree(project);
    const again = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--config-format', format], {
      cwd: workspace.dir,
    });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(await snapshotTree(project)).toEqual(before);
  });

  it('refuses to overwrite a file the team edited, unless --force', async () => {
    const edited = join(project, 'workers', 'api', 'src', 'index.ts');
    await writeFile(edited, `${await readFile(edited, 'utf8')}\n// our change\n`);
    const before = await snapshotTree(project);
    const args = [
      'init-worker',
      'demo',
      '--yes',
      '--no-install',
      '--no-git',
      '--config-format',
      format,
      '--origins',
      'https://app.example.com',
    ];
    const refused = await runCli(args, { cwd: workspace.dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/! conflict\s+workers\/api\/src\/index\.ts\s+\(changed since appshell wrote it\)/);
    expect(refused.stderr).toContain('nothing was written');
    expect(await snapshotTree(project)).toEqual(before);

    const dryRun = await runCli([...args, '--force', '--dry-run'], { cwd: workspace.dir });
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain('Dry run: nothing was written.');
    expect(await snapshotTree(project)).toEqual(before);

    const forced = await runCli([...args, '--force'], { cwd: workspace.dir });
    expect(forced.exitCode).toBe(0);
    expect(await readFile(edited, 'utf8')).not.toContain('// our change');
    const config = await readFile(join(project, 'workers', 'api', `wrangler.${format}`), 'utf8');
    expect(config).toContain('https://app.example.com');
  });
});
