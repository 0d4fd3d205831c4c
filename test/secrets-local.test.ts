import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/cli.js';
import { secretsProject, workers } from './secrets-project.js';

// `appshell secrets --local`: .dev.vars for every Worker, for wrangler dev and appshell dev.
let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-secrets-local-');
});
afterAll(() => workspace.remove());

describe('appshell secrets --local', () => {
  it('writes .dev.vars (mode 0600, ignored by git) with one value per shared group, and changes nothing on a re-run', async () => {
    const { root, secrets, calls } = await secretsProject(workspace.dir, 'local', [
      '--identity',
      'supabase',
      '--supabase-url',
      'https://abcd.supabase.co',
    ]);
    const path = (worker: string) => join(root, 'workers', worker, '.dev.vars');
    const read = async (worker: string) => parseDotenv(await readFile(path(worker), 'utf8'));

    const dry = await secrets(['--local', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/workers\/api\/\.dev\.vars: would add SESSION_JWT_SECRET/);
    await expect(stat(path('api'))).rejects.toThrow(/ENOENT/);

    const first = await secrets(['--local']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/workers\/auth-shim\/\.dev\.vars: added SESSION_JWT_SECRET; still without a value .*: SUPABASE_ANON_KEY/);
    for (const worker of workers) expect((await stat(path(worker))).mode & 0o777).toBe(0o600);
    const session = (await read('auth-shim')).SESSION_JWT_SECRET!;
    expect(Buffer.from(session, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect((await read('api')).SESSION_JWT_SECRET).toBe(session);
    expect((await read('receiver')).SESSION_JWT_SECRET).toBe(session);
    expect((await read('sender')).SIGNING_SECRETS).toBe((await read('receiver')).SIGNING_SECRETS);
    expect(await calls()).toEqual([]); // local values never go near wrangler

    // git itself ignores them (the generated .gitignore lists .dev.vars).
    await execa('git', ['init', '-q'], { cwd: root });
    for (const worker of workers)
      expect((await execa('git', ['check-ignore', '-q', `workers/${worker}/.dev.vars`], { cwd: root, reject: false })).exitCode).toBe(0);
    const status = await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root });
    expect(status.stdout).toMatch(/\.dev\.vars\.example$/m); // the example is meant to be committed
    expect(status.stdout).not.toMatch(/\.dev\.vars$/m);

    const before = await Promise.all(workers.map((worker) => readFile(path(worker), 'utf8')));
    const again = await secrets(['--local']);
    expect(again.stdout).toMatch(/workers\/api\/\.dev\.vars: nothing to change/);
    expect(await Promise.all(workers.map((worker) => readFile(path(worker), 'utf8')))).toEqual(before);
    // No temporary file is left beside them.
    for (const worker of workers)
      expect((await readdir(join(root, 'workers', worker))).filter((name) => name.includes('.appshell-'))).toEqual([]);
  });

  it('keeps what the team wrote, fills what is missing from the environment or --from-file, and replaces only with --force', async () => {
    const { dir, root, secrets } = await secretsProject(workspace.dir, 'keep', [
      '--identity',
      'supabase',
      '--supabase-url',
      'https://abcd.supabase.co',
    ]);
    const path = (worker: string) => join(root, 'workers', worker, '.dev.vars');
    await writeFile(path('api'), '# my notes\nDEBUG=1\nSESSION_JWT_SECRET=team-chosen-session-secret-0123456789\n', { mode: 0o644 });
    await chmod(path('api'), 0o644);
    const file = join(dir, 'team.env');
    await writeFile(file, 'SUPABASE_ANON_KEY=anon-from-file\n');

    const result = await secrets(['--local', '--from-file', file]);
    expect(result.exitCode, result.stderr).toBe(0);
    const api = await readFile(path('api'), 'utf8');
    expect(api).toBe('# my notes\nDEBUG=1\nSESSION_JWT_SECRET=team-chosen-session-secret-0123456789\n');
    expect((await stat(path('api'))).mode & 0o777).toBe(0o600); // tightened, content untouched
    const auth = parseDotenv(await readFile(path('auth-shim'), 'utf8'));
    expect(auth).toMatchObject({ SESSION_JWT_SECRET: 'team-chosen-session-secret-0123456789', SUPABASE_ANON_KEY: 'anon-from-file' });

    const fromEnv = await secrets(['--local', '--force'], { SUPABASE_ANON_KEY: 'anon-from-env' });
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
    const forced = parseDotenv(await readFile(path('api'), 'utf8'));
    expect(forced.DEBUG).toBe('1');
    expect(forced.SESSION_JWT_SECRET).not.toBe('team-chosen-session-secret-0123456789');
    const authAfter = parseDotenv(await readFile(path('auth-shim'), 'utf8'));
    expect(authAfter.SESSION_JWT_SECRET).toBe(forced.SESSION_JWT_SECRET);
    expect(authAfter.SUPABASE_ANON_KEY).toBe('anon-from-env');
    expect(await readFile(path('api'), 'utf8')).toMatch(/^# my notes\nDEBUG=1\n/);

    const json = JSON.parse((await secrets(['--local', '--json'])).stdout);
    expect(json).toMatchObject({ dryRun: false, gitIgnored: true });
    expect(json.files.find((f: { worker: string }) => f.worker === 'api')).toMatchObject({ changed: false, added: [], replaced: [] });
  });

  it('refuses --env with --local (local values are not per environment) and writes nothing', async () => {
    const { root, secrets } = await secretsProject(workspace.dir, 'local-env');
    const result = await secrets(['--local', '--env', 'staging']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--local writes the values for local development \(\.dev\.vars\); it takes no --env/);
    await expect(stat(join(root, 'workers', 'api', '.dev.vars'))).rejects.toThrow(/ENOENT/);
  });
});
