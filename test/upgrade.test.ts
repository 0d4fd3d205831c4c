import { watch } from 'node:fs';
import { cp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as commentJson from 'comment-json';
import { execa, type Options } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountServer, type RunningAccountServer } from '../fixtures/stand-ins/cloudflare-account.js';
import { makeTempDir, productionAnswers, repoRoot, runCli, snapshotTree } from './support/cli.js';
import { manifestSchemaVersion } from '../generators/manifest.js';
import { buildNewerCli, newer } from './support/newer-cli.js';

// Two real versions of appshell: this repository (0.1.0) scaffolds, a copy whose templates differ (0.2.0) upgrades.
let workspace: { dir: string; remove: () => Promise<void> };
let nextCli: string;

async function runNext(args: string[], options: Options = {}) {
  const result = await execa('node', [nextCli, ...args], {
    reject: false,
    stdin: 'ignore',
    env: { WRANGLER_SEND_METRICS: 'false' },
    ...options,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function scaffold(name: string): Promise<string> {
  const init = await runCli(['init-worker', name, '--yes', '--no-install', '--no-git'], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  return join(workspace.dir, name);
}

const read = (project: string, path: string) => readFile(join(project, path), 'utf8');
const errorsTs = 'workers/api/src/lib/errors.ts';
const apiConfig = 'workers/api/wrangler.jsonc';
const teamNote = "// Our team: keep error messages short, they reach the apps' users.";

/** Edits as a team would: a new route (through appshell), a change far from the fix, a changed var, a comment. */
async function editAsTeam(project: string): Promise<void> {
  const route = await runCli(['add-route', '/v1/invoices', '--methods', 'GET,POST'], { cwd: project });
  expect(route.exitCode, route.stderr).toBe(0);
  await writeFile(join(project, errorsTs), `${await read(project, errorsTs)}${teamNote}\n`);
  const config = await read(project, apiConfig);
  await writeFile(
    join(project, apiConfig),
    config
      .replace('"RATE_LIMIT_PER_MINUTE": "100"', '"RATE_LIMIT_PER_MINUTE": "250"')
      .replace('  "vars": {', '  // Raised for our batch importer.\n  "vars": {'),
  );
}

beforeAll(async () => {
  workspace = await makeTempDir('appshell-upgrade-');
  nextCli = await buildNewerCli(workspace.dir);
});
afterAll(() => workspace.remove());

describe('appshell upgrade from 0.1.0 to 0.2.0 of a project the team edited', () => {
  let project: string;
  let upgrade: Awaited<ReturnType<typeof runNext>>;

  beforeAll(async () => {
    project = await scaffold('demo');
    await editAsTeam(project);
  });

  it('diff shows exactly the team’s edits', async () => {
    const diff = await runCli(['diff'], { cwd: project });
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect([...diff.stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((match) => match[1])).toEqual([errorsTs, apiConfig]);
    expect(diff.stdout).toContain(`+${teamNote}`);
    expect(diff.stdout).toContain('-    "RATE_LIMIT_PER_MINUTE": "100",');
    expect(diff.stdout).toContain('+    "RATE_LIMIT_PER_MINUTE": "250",');
    expect(diff.stdout).toContain('+  // Raised for our batch importer.');
    const one = await runCli(['diff', errorsTs], { cwd: project });
    expect([...one.stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((match) => match[1])).toEqual([errorsTs]);
  });

  it('--dry-run prints the CHANGELOG entries and the action per file, and writes nothing', async () => {
    const before = await snapshotTree(project);
    const dry = await runNext(['upgrade', '--dry-run'], { cwd: project });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Upgrade from appshell 0.1.0 to 0.2.0');
    expect(dry.stdout).toContain(newer.changelogLine);
    expect(dry.stdout).toMatch(new RegExp(`merge +${errorsTs}`));
    expect(dry.stdout).toMatch(new RegExp(`merge +${apiConfig}`));
    expect(dry.stdout).toMatch(new RegExp(`create +${newer.newFile}`));
    expect(dry.stdout).toMatch(/update +workers\/auth-shim\/src\/lib\/errors\.ts/);
    expect(await snapshotTree(project)).toEqual(before);
    const json = JSON.parse((await runNext(['upgrade', '--dry-run', '--json'], { cwd: project })).stdout);
    expect(json).toMatchObject({ from: '0.1.0', to: '0.2.0', changes: true, conflicts: [] });
  });

  it('refuses to apply without --yes when there is no terminal (exit 2, nothing written)', async () => {
    const before = await snapshotTree(project);
    const result = await runNext(['upgrade'], { cwd: project });
    expect(result.exitCode).toBe(2);
    expect(await snapshotTree(project)).toEqual(before);
  });

  it('brings the fix in and keeps every team edit', async () => {
    upgrade = await runNext(['upgrade', '--yes'], { cwd: project });
    expect(upgrade.exitCode, upgrade.stderr + upgrade.stdout).toBe(0);
    expect(upgrade.stdout).toContain('Done: the project is at appshell 0.2.0.');
    const errors = await read(project, errorsTs);
    expect(errors).toContain(newer.fixedLine);
    expect(errors).toContain(teamNote);
    expect(await read(project, 'workers/receiver/src/lib/errors.ts')).toContain(newer.fixedLine);
    expect(await read(project, newer.newFile)).toContain('0.2.0');
    const manifest = JSON.parse(await read(project, 'appshell.json'));
    expect(manifest.templateVersion).toBe('0.2.0');
    expect(manifest.schemaVersion).toBe(manifestSchemaVersion);
    expect(manifest.routes.map((route: { path: string }) => route.path)).toContain('/v1/invoices');
    expect(await read(project, 'workers/api/src/extensions/index.ts')).toContain('/v1/invoices');
    const configText = await read(project, apiConfig);
    expect(configText).toContain('// Raised for our batch importer.');
    const config = commentJson.parse(configText) as unknown as {
      vars: Record<string, string>;
      migrations: unknown;
      env: Record<string, { vars: Record<string, string> }>;
    };
    expect(config.vars.RATE_LIMIT_PER_MINUTE).toBe('250');
    expect(config.vars[newer.newVar]).toBe('on');
    expect(config.env.production!.vars[newer.newVar]).toBe('on');
    const ledger = [
      { tag: 'v1', new_sqlite_classes: ['RateLimiter'] },
      { tag: 'v2', new_sqlite_classes: [newer.newClass] },
    ];
    expect(JSON.parse(JSON.stringify(config.migrations))).toEqual(ledger);
    expect(manifest.migrations.api).toEqual(ledger);
    expect((await readdir(project)).filter((name) => name.includes('.appshell-'))).toEqual([]);
  });

  it('changes nothing when run again, and diff still shows only the team’s edits', async () => {
    const before = await snapshotTree(project);
    const again = await runNext(['upgrade', '--yes'], { cwd: project });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(await snapshotTree(project)).toEqual(before);
    const diff = await runNext(['diff'], { cwd: project });
    expect([...diff.stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((match) => match[1])).toEqual([errorsTs, apiConfig]);
  });

  it("passes the upgraded project's own npm test", async () => {
    const env = { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };
    const install = await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: project, reject: false, all: true, env });
    expect(install.exitCode, install.all).toBe(0);
    const result = await execa('npm', ['test'], { cwd: project, reject: false, all: true, env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/Test Files\s+\S*\s*\d+ passed/);
  });
});

describe('appshell upgrade with a conflicting edit', () => {
  let project: string;

  beforeAll(async () => {
    project = await scaffold('clash');
    // The team changed the very line the fix changes.
    await writeFile(
      join(project, errorsTs),
      (await read(project, errorsTs)).replace(newer.originalLine, 'The error codes our apps handle.'),
    );
  });

  it('writes markers, exits 1 and keeps the old templateVersion until --continue finds none', async () => {
    const result = await runNext(['upgrade', '--yes'], { cwd: project });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(errorsTs);
    const marked = await read(project, errorsTs);
    expect(marked).toMatch(
      /^<<<<<<< yours\n.*The error codes our apps handle\..*\n\|\|\|\|\|\|\| appshell 0\.1\.0\n.*a client can see\..*\n=======\n/m,
    );
    expect(marked).toContain(`>>>>>>> appshell 0.2.0`);
    expect(JSON.parse(await read(project, 'appshell.json')).templateVersion).toBe('0.1.0');

    const early = await runNext(['upgrade', '--continue'], { cwd: project });
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain('still hold conflict markers');

    // Resolved by taking the fix.
    const resolved = marked.replace(/<<<<<<< yours\n[\s\S]*?=======\n([\s\S]*?)>>>>>>> appshell 0\.2\.0\n/, '$1');
    await writeFile(join(project, errorsTs), resolved);
    const done = await runNext(['upgrade', '--continue'], { cwd: project });
    expect(done.exitCode, done.stderr).toBe(0);
    expect(JSON.parse(await read(project, 'appshell.json')).templateVersion).toBe('0.2.0');
    const again = await runNext(['upgrade', '--yes'], { cwd: project });
    expect(again.stdout).toContain('Nothing to change');
  });

  it('refuses a project newer than the CLI (exit 2)', async () => {
    const result = await runCli(['upgrade', '--yes'], { cwd: project });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('templateVersion 0.2.0 is newer');
  });
});

describe('appshell upgrade interrupted while applying', () => {
  const interruptedExitCodes: number[] = [];
  afterAll(() => {
    // Signalled when the first staged file appears, the run is cut before its renames (130 SIGINT, 143 SIGTERM).
    expect(interruptedExitCodes.filter((code) => code !== 0).length).toBeGreaterThan(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('leaves the project as it was, or complete, after %s', async (signal) => {
    const original = await scaffold(`cut-${signal.toLowerCase()}`);
    await editAsTeam(original);
    const reference = `${original}-reference`;
    await cp(original, reference, { recursive: true });
    expect((await runNext(['upgrade', '--yes'], { cwd: reference })).exitCode).toBe(0);
    const before = await snapshotTree(original);
    const after = await snapshotTree(reference);

    const child = execa('node', [nextCli, 'upgrade', '--yes'], { cwd: original, reject: false, stdin: 'ignore' });
    // One signal, as a person pressing Ctrl-C once (appshell also ignores repeats while it cleans up).
    let sent = false;
    const watcher = watch(original, (_event, name) => {
      if (!sent && name?.includes('.appshell-')) sent = child.kill(signal);
    });
    const result = await child.finally(() => watcher.close());
    const now = await snapshotTree(original);
    expect(Object.keys(now).filter((path) => path.includes('.appshell-'))).toEqual([]);
    interruptedExitCodes.push(result.exitCode ?? -1);
    if (result.exitCode === 0) expect(now).toEqual(after);
    else expect(now).toEqual(before);
  });
});

// The day a template adds a Durable Object class: an environment deployed with the old version takes the upgraded
// project, because the ledger appends a tag (a rewritten v1 would be refused with 10074/10079, as on Cloudflare).
describe('appshell upgrade that adds a Durable Object class, deployed over an existing environment', () => {
  let account: RunningAccountServer | undefined;
  afterAll(() => account?.close());

  it('the next deploy uploads migration v2 with the new class after v1, and succeeds', async () => {
    const init = await runCli(
      ['init-worker', 'deployed', '--yes', '--no-install', '--no-git', '--workers', 'auth-shim,api', ...productionAnswers],
      { cwd: workspace.dir },
    );
    expect(init.exitCode, init.stderr).toBe(0);
    const project = join(workspace.dir, 'deployed');
    await symlink(join(repoRoot, 'node_modules'), join(project, 'node_modules'));
    account = await startAccountServer();
    const env = account.wranglerEnv();
    const first = await runCli(['deploy', '--env', 'staging'], { cwd: project, env });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(account.state.scripts['deployed-api-staging']).toMatchObject({ migrationTag: 'v1', durableObjectClasses: ['RateLimiter'] });

    expect((await runNext(['upgrade', '--yes'], { cwd: project })).exitCode).toBe(0);
    const second = await runNext(['deploy', '--env', 'staging'], { cwd: project, env: { ...env, WRANGLER_SEND_METRICS: 'false' } });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(account.state.scripts['deployed-api-staging']).toMatchObject({
      migrationTag: 'v2',
      durableObjectClasses: ['RateLimiter', newer.newClass],
    });
  });
});
