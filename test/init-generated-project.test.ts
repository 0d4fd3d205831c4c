import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, snapshotTree } from './support/cli.js';

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
    init = await runCli(['init-worker', 'demo', '--yes', '--config-format', format, ...(format === 'toml' ? ['--no-git'] : [])], {
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

  it("passes the generated project's own npm test", async () => {
    const result = await execa('npm', ['test'], { cwd: project, reject: false, all: true, env: { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' } });
    expect(result.all).toMatch(/Test Files\s+\S*\s*\d+ passed/);
    expect(result.exitCode, result.all).toBe(0);
    for (const worker of workers) expect(result.all).toMatch(new RegExp(`[| ]${worker}[| ] test/`));
  });

  it.each(workers)('bundles %s with wrangler deploy --dry-run for every environment', async (worker) => {
    for (const env of ['', 'staging', 'production']) {
      const result = await execa(
        'npx',
        ['wrangler', 'deploy', '--dry-run', '--outdir', join(workspace.dir, 'bundles', format, worker, env || 'top'), `--env=${env}`],
        { cwd: join(project, 'workers', worker), reject: false, all: true, env: { WRANGLER_SEND_METRICS: 'false' } },
      );
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
      expect(result.all).toContain('--dry-run: exiting now.');
    }
  });

  it('changes nothing when run again', async () => {
    const before = await snapshotTree(project);
    const again = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--config-format', format], { cwd: workspace.dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(await snapshotTree(project)).toEqual(before);
  });

  it('refuses to overwrite a file the team edited, unless --force', async () => {
    const edited = join(project, 'workers', 'api', 'src', 'index.ts');
    await writeFile(edited, `${await readFile(edited, 'utf8')}\n// our change\n`);
    const before = await snapshotTree(project);
    const args = ['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--config-format', format, '--origins', 'https://app.example.com'];
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
