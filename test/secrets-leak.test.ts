import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type CliResult } from './support/cli.js';
import { bulkCalls, secretsProject, workers } from './secrets-project.js';

// Every secrets command runs with known values; afterwards no value may appear in stdout, stderr, the argv or
// the environment of any wrangler it ran, or any file outside .dev.vars (temporary files included: TMPDIR
// points inside the tree that is searched).
let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-secrets-leak-');
});
afterAll(() => workspace.remove());

const known = {
  SUPABASE_ANON_KEY: 'known-anon-key-5f1c2e9a7b3d',
  R2_ACCESS_KEY_ID: 'known-r2-access-key-id-90c4e1',
  R2_SECRET_ACCESS_KEY: 'known-r2-secret-access-key-77d2a8f0',
};

async function filesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(full)));
    else found.push(full);
  }
  return found;
}

/** A value and the parts of it that are secret on their own (the private `d` of a JWK). */
function secretForms(value: string): string[] {
  try {
    const parsed = JSON.parse(value) as { d?: string };
    if (parsed && typeof parsed.d === 'string') return [value, parsed.d];
  } catch {
    // not JSON: the value is the secret
  }
  return [value];
}

describe.each([
  ['HS256', 'SIGNING_SECRETS', []],
  ['EdDSA', 'SESSION_JWT_PRIVATE_JWK', ['--jwt-alg', 'EdDSA']],
])('no secret value leaks (%s)', (alg, rotatable, flags) => {
  it('runs every secrets command and finds no value outside .dev.vars and wrangler’s stdin', async () => {
    const project = await secretsProject(workspace.dir, `leak-${alg}`, [
      '--identity',
      'supabase',
      '--supabase-url',
      'https://abcd.supabase.co',
      ...flags,
    ]);
    const { dir, root, secrets, calls, deployAll, wrangler } = project;
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    // The team's own value file lives outside the searched tree.
    const inputs = join(workspace.dir, `inputs-${alg}`);
    await mkdir(inputs);
    const teamFile = join(inputs, 'team.env');
    await writeFile(
      teamFile,
      Object.entries(known)
        .map(([name, value]) => `${name}=${value}`)
        .join('\n'),
    );

    const values = new Set<string>(Object.values(known));
    const collectDevVars = async () => {
      for (const worker of workers) {
        const text = await readFile(join(root, 'workers', worker, '.dev.vars'), 'utf8').catch(() => '');
        for (const value of Object.values(parseDotenv(text)))
          if (value.length >= 16) for (const form of secretForms(value)) values.add(form);
      }
    };
    const outputs: CliResult[] = [];
    const run = async (args: string[], expected: number, extra: Record<string, string> = {}) => {
      const result = await secrets(args, { TMPDIR: tmp, SUPABASE_ANON_KEY: known.SUPABASE_ANON_KEY, ...extra });
      expect(result.exitCode, `${args.join(' ')}\n${result.stderr}`).toBe(expected);
      outputs.push(result);
      await collectDevVars();
    };

    await deployAll('staging', 'production');
    await run([], 0);
    await run(['--json'], 0);
    await run(['--push', '--env', 'staging', '--from-env', '--dry-run'], 0);
    await run(['--push', '--env', 'staging', '--from-env', '--from-file', teamFile], 0);
    await run(['--check', '--env', 'staging'], 0);
    await run(['--push', '--env', 'staging'], 0);
    await run(['--rotate', rotatable, '--env', 'staging', '--dry-run'], 0);
    await run(['--rotate', rotatable, '--env', 'staging'], 0);
    await run(['--finish-rotation', rotatable, '--env', 'staging'], 0);
    // A failing bulk call whose wrangler prints its input: appshell masks what it shows.
    await run(['--push', '--env', 'production', '--from-env', '--json'], 1, {
      FAKE_WRANGLER_FAIL: 'secret bulk:demo-auth-shim-production',
      FAKE_WRANGLER_ECHO_STDIN: '1',
    });
    await run(['--push', '--env', 'production', '--from-file', teamFile, '--json', '--yes'], 0);
    await run(['--local', '--from-file', teamFile], 0);
    await run(['--local', '--dry-run'], 0);
    await run(['--local', '--force', '--json'], 0);
    await run(['--local'], 0);

    const recorded = await calls();
    for (const call of bulkCalls(recorded)) {
      for (const value of Object.values(JSON.parse(call.stdin) as Record<string, string>))
        for (const form of secretForms(value)) values.add(form);
    }
    // The provided values, two generated groups or one key per push and rotation, local values: all collected.
    expect(values.size).toBeGreaterThan(10);
    expect(outputs.some((output) => output.stderr.includes('***'))).toBe(true); // the echoing wrangler was masked

    for (const output of outputs) {
      for (const value of values) {
        expect(output.stdout.includes(value), `stdout holds a value:\n${output.stdout}`).toBe(false);
        expect(output.stderr.includes(value), `stderr holds a value:\n${output.stderr}`).toBe(false);
      }
    }
    const secretNames = [...Object.keys(known), 'SESSION_JWT_SECRET', 'SIGNING_SECRETS', 'SESSION_JWT_PRIVATE_JWK'];
    for (const call of recorded) {
      for (const value of values) expect(call.argv.join(' ').includes(value)).toBe(false);
      for (const value of values) expect(Object.values(call.env).join(' ').includes(value)).toBe(false);
      // A value exported for --from-env is removed from wrangler's environment, not only kept off its argv.
      expect(call.envNames.filter((name) => secretNames.includes(name))).toEqual([]);
    }

    const files = (await filesUnder(dir)).filter((file) => !file.endsWith('/.dev.vars') && !file.endsWith('wrangler-calls.jsonl'));
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((file) => file.includes('.appshell-'))).toEqual([]);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const value of values) expect(text.includes(value), `${relative(dir, file)} holds a value`).toBe(false);
    }
    // And the values are where they belong: pushed on stdin, and in .dev.vars.
    expect(bulkCalls(recorded).some((call) => call.stdin.includes(known.SUPABASE_ANON_KEY))).toBe(true);
    expect(await readFile(join(root, 'workers', 'auth-shim', '.dev.vars'), 'utf8')).toContain(known.SUPABASE_ANON_KEY);
    await wrangler.reset();
  });
});
