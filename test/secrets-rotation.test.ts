import { createPublicKey, createPrivateKey, sign, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './support/cli.js';
import { bulkCalls, isCall, option, secretsProject, sentBy, workers, type RecordedCall } from './secrets-project.js';

// `--rotate` / `--finish-rotation` against the recording stand-in wrangler. wrangler 4.86.0 does not delete on
// a null in `secret bulk` input, so the old value goes with `wrangler secret delete`, one Worker at a time.
let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-secrets-rotation-');
});
afterAll(() => workspace.remove());

async function pushedProject(name: string, env: string, flags: string[] = []) {
  const project = await secretsProject(workspace.dir, name, flags);
  await project.deployAll(env);
  const pushed = await project.secrets(['--push', '--env', env]);
  expect(pushed.exitCode, pushed.stderr).toBe(0);
  const first = sentBy(await project.calls());
  await project.wrangler.reset();
  const manifest = async () => JSON.parse(await readFile(join(project.root, 'appshell.json'), 'utf8'));
  return { ...project, first, manifest };
}
const deleteCalls = (calls: RecordedCall[]) => calls.filter((call) => isCall(call, 'secret', 'delete'));
const configs = (calls: RecordedCall[]) => calls.map((call) => option(call.argv, '--config'));

describe('appshell secrets --rotate SIGNING_SECRETS', () => {
  it('adds a new value beside the old one (receiver first), then removes the old one (sender first)', async () => {
    const { secrets, calls, state, manifest, wrangler } = await pushedProject('signing', 'production');
    const dry = await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'production', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would add a new SIGNING_SECRETS (SIGNING_SECRETS_NEXT) to demo-receiver-production');
    expect(bulkCalls(await calls())).toEqual([]);
    expect((await manifest()).rotations).toEqual({});

    const rotate = await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'production']);
    expect(rotate.exitCode, rotate.stderr).toBe(0);
    const added = bulkCalls(await calls());
    expect(configs(added)).toEqual(['workers/receiver/wrangler.jsonc', 'workers/sender/wrangler.jsonc']);
    const values = added.map((call) => JSON.parse(call.stdin) as Record<string, string>);
    expect(Object.keys(values[0]!)).toEqual(['SIGNING_SECRETS_NEXT']);
    expect(values[0]!.SIGNING_SECRETS_NEXT).toMatch(/^whsec_/);
    expect(values[1]).toEqual(values[0]);
    expect((await manifest()).rotations).toEqual({ production: { SIGNING_SECRETS: 'SIGNING_SECRETS_NEXT' } });
    expect(rotate.stdout).toContain('appshell secrets --finish-rotation SIGNING_SECRETS --env production');
    expect((await secrets(['--env', 'production'])).stdout).toMatch(
      /set\s+SIGNING_SECRETS .*rotation in progress, new value in SIGNING_SECRETS_NEXT/,
    );
    const again = await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'production']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/in progress/);

    await wrangler.reset();
    const dryFinish = await secrets(['--finish-rotation', 'SIGNING_SECRETS', '--env', 'production', '--dry-run']);
    expect(dryFinish.stdout).toContain('Would remove the old SIGNING_SECRETS (SIGNING_SECRETS) from demo-sender-production');
    expect(deleteCalls(await calls())).toEqual([]);
    const finish = await secrets(['--finish-rotation', 'SIGNING_SECRETS', '--env', 'production']);
    expect(finish.exitCode, finish.stderr).toBe(0);
    const removed = deleteCalls(await calls());
    expect(removed.map((call) => call.argv.slice(0, 3))).toEqual([
      ['secret', 'delete', 'SIGNING_SECRETS'],
      ['secret', 'delete', 'SIGNING_SECRETS'],
    ]);
    expect(configs(removed)).toEqual(['workers/sender/wrangler.jsonc', 'workers/receiver/wrangler.jsonc']);
    expect(removed.every((call) => option(call.argv, '--env') === 'production')).toBe(true);
    expect(bulkCalls(await calls())).toEqual([]); // no null through bulk
    expect((await state())['demo-sender-production']).toEqual(['SIGNING_SECRETS_NEXT']);
    expect((await manifest()).rotations).toEqual({ production: {} });
    // The slot counts as the secret: nothing is missing, and the next rotation writes the other slot.
    expect((await secrets(['--check', '--env', 'production'])).exitCode).toBe(0);
    const next = await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'production']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(Object.keys(JSON.parse(bulkCalls(await calls()).at(-1)!.stdin))).toEqual(['SIGNING_SECRETS']);
  });

  it('recovers from a failure halfway through a rotation and through its finish', async () => {
    const { secrets, calls, state, manifest, wrangler } = await pushedProject('signing-halfway', 'staging');
    const failed = await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'staging'], {
      FAKE_WRANGLER_FAIL: 'secret bulk:demo-sender-staging',
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/wrangler secret bulk failed for demo-sender-staging: .*\nNew value added to: demo-receiver-staging/);
    expect((await manifest()).rotations).toEqual({});
    await wrangler.reset();
    expect((await secrets(['--rotate', 'SIGNING_SECRETS', '--env', 'staging'])).exitCode).toBe(0);
    const values = bulkCalls(await calls()).map((call) => JSON.parse(call.stdin).SIGNING_SECRETS_NEXT);
    expect(values).toHaveLength(2);
    expect(values[0]).toBe(values[1]);

    const stopped = await secrets(['--finish-rotation', 'SIGNING_SECRETS', '--env', 'staging'], {
      FAKE_WRANGLER_FAIL: 'secret delete:demo-receiver-staging',
    });
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toMatch(/wrangler secret delete failed for demo-receiver-staging: .*\nRemoved from: demo-sender-staging/);
    expect((await manifest()).rotations).toEqual({ staging: { SIGNING_SECRETS: 'SIGNING_SECRETS_NEXT' } });
    await wrangler.reset();
    expect((await secrets(['--finish-rotation', 'SIGNING_SECRETS', '--env', 'staging'])).exitCode).toBe(0);
    expect(configs(deleteCalls(await calls()))).toEqual(['workers/receiver/wrangler.jsonc']); // the sender was done already
    expect((await state())['demo-receiver-staging']).not.toContain('SIGNING_SECRETS');
  });
});

describe('appshell secrets --rotate SESSION_JWT_SECRET (HS256)', () => {
  it('gives the verifiers the new value before the auth shim that signs with it, and removes the old from the auth shim first', async () => {
    const { secrets, calls, state, first, manifest } = await pushedProject('hs256', 'production');
    const pushed = first['workers/auth-shim/wrangler.jsonc']!.SESSION_JWT_SECRET!;
    // The value carries its time, so that the auth shim can tell the newer of two slots.
    expect(pushed).toMatch(/^hs256_\d{10}_[A-Za-z0-9_-]{43}$/);

    const rotate = await secrets(['--rotate', 'SESSION_JWT_SECRET', '--env', 'production']);
    expect(rotate.exitCode, rotate.stderr).toBe(0);
    const added = bulkCalls(await calls());
    expect(configs(added).at(-1)).toBe('workers/auth-shim/wrangler.jsonc');
    expect(configs(added).slice(0, -1).sort()).toEqual(['workers/api/wrangler.jsonc', 'workers/receiver/wrangler.jsonc']);
    const values = added.map((call) => JSON.parse(call.stdin) as Record<string, string>);
    expect(values.every((value) => Object.keys(value).join() === 'SESSION_JWT_SECRET_NEXT')).toBe(true);
    expect(new Set(values.map((value) => value.SESSION_JWT_SECRET_NEXT)).size).toBe(1);
    const next = values[0]!.SESSION_JWT_SECRET_NEXT!;
    expect(next).toMatch(/^hs256_\d{10}_/);
    expect(next).not.toBe(pushed);
    expect(Number(next.split('_')[1])).toBeGreaterThanOrEqual(Number(pushed.split('_')[1]));
    expect((await manifest()).rotations).toEqual({ production: { SESSION_JWT_SECRET: 'SESSION_JWT_SECRET_NEXT' } });

    const finish = await secrets(['--finish-rotation', 'SESSION_JWT_SECRET', '--env', 'production']);
    expect(finish.exitCode, finish.stderr).toBe(0);
    const removed = deleteCalls(await calls());
    expect(configs(removed)[0]).toBe('workers/auth-shim/wrangler.jsonc');
    expect(removed).toHaveLength(3);
    for (const worker of ['auth-shim', 'api', 'receiver'])
      expect((await state())[`demo-${worker}-production`]).toContain('SESSION_JWT_SECRET_NEXT');
    expect((await secrets(['--check', '--env', 'production'])).exitCode).toBe(0);
  });
});

describe('appshell secrets --rotate SESSION_JWT_PRIVATE_JWK (EdDSA)', () => {
  it('pushes an Ed25519 JWK pair with its RFC 7638 kid, rotates it into the second slot, and finishes', async () => {
    const { secrets, calls, first } = await pushedProject('eddsa', 'staging', ['--jwt-alg', 'EdDSA']);
    const jwk = JSON.parse(first['workers/auth-shim/wrangler.jsonc']!.SESSION_JWT_PRIVATE_JWK!);
    expect(jwk).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: expect.any(String),
      created_at: expect.any(Number),
    });
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }));
    // x is the public half of d: a signature by one verifies with the other.
    const message = Buffer.from('appshell');
    const signature = sign(null, message, createPrivateKey({ key: jwk, format: 'jwk' }));
    expect(verify(null, message, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }), signature)).toBe(true);
    expect(Object.keys(first).sort()).toEqual(
      workers
        .filter((w) => w !== 'api')
        .map((w) => `workers/${w}/wrangler.jsonc`)
        .sort(),
    ); // api reads the JWKS

    expect((await secrets(['--rotate', 'SESSION_JWT_PRIVATE_JWK', '--env', 'staging'])).exitCode).toBe(0);
    const [call] = bulkCalls(await calls());
    expect(option(call!.argv, '--config')).toBe('workers/auth-shim/wrangler.jsonc');
    const next = JSON.parse(JSON.parse(call!.stdin).SESSION_JWT_PRIVATE_JWK_NEXT);
    expect(next.kid).not.toBe(jwk.kid);
    expect(next.created_at).toBeGreaterThanOrEqual(jwk.created_at);
    // The name may be left out while one rotation is in progress.
    const finish = await secrets(['--finish-rotation', '--env', 'staging']);
    expect(finish.exitCode, finish.stderr).toBe(0);
    expect(deleteCalls(await calls()).map((c) => c.argv.slice(0, 3))).toEqual([['secret', 'delete', 'SESSION_JWT_PRIVATE_JWK']]);
  });
});

describe('what cannot be rotated', () => {
  it('refuses with exit 2 (bad input) or 1 (nothing to rotate on Cloudflare), and changes nothing', async () => {
    const project = await secretsProject(workspace.dir, 'refused');
    await project.deployAll('staging');
    const refuse = async (args: string[], code: number, message: RegExp, env: Record<string, string> = {}) => {
      const result = await project.secrets(args, env);
      expect(result.exitCode, result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
    };
    await refuse(
      ['--rotate', 'R2_SECRET_ACCESS_KEY', '--env', 'staging'],
      2,
      /R2_SECRET_ACCESS_KEY cannot be rotated by appshell yet; allowed: SESSION_JWT_SECRET, SIGNING_SECRETS/,
    );
    await refuse(['--rotate', 'SESSION_JWT_PRIVATE_JWK', '--env', 'staging'], 2, /no Worker of this project reads SESSION_JWT_PRIVATE_JWK/);
    await refuse(['--finish-rotation', 'SIGNING_SECRETS', '--env', 'staging'], 2, /no rotation of SIGNING_SECRETS is in progress/);
    await refuse(['--rotate', 'SIGNING_SECRETS'], 2, /--env is required with --rotate/);
    await refuse(
      ['--rotate', 'SIGNING_SECRETS', '--env', 'staging'],
      1,
      /SIGNING_SECRETS is not set on every Worker that reads it .*: nothing to rotate/,
    );
    await refuse(
      ['--rotate', 'SIGNING_SECRETS', '--env', 'production'],
      1,
      /demo-receiver-production is not deployed yet: nothing to rotate/,
    );
    await refuse(
      ['--rotate', 'SIGNING_SECRETS', '--env', 'staging'],
      1,
      /could not list the secrets of demo-receiver-staging: wrangler is not logged in/,
      { FAKE_WRANGLER_LOGGED_OUT: '1' },
    );
    expect(bulkCalls(await project.calls())).toEqual([]);
    expect(JSON.parse(await readFile(join(project.root, 'appshell.json'), 'utf8')).rotations).toEqual({});
  });
});
