import { describe, expect, it } from 'vitest';
import { resolveSecretsMode, type SecretsFlags } from './secrets-mode.js';

const envs = ['staging', 'production'];
const mode = (flags: SecretsFlags) => resolveSecretsMode(flags, envs);

describe('resolveSecretsMode', () => {
  it('plans every environment, or the one asked for, with or without --check', () => {
    expect(mode({})).toEqual({ ok: true, mode: { kind: 'plan', envs, check: false } });
    expect(mode({ env: 'production', check: true })).toEqual({ ok: true, mode: { kind: 'plan', envs: ['production'], check: true } });
  });

  it('pushes and rotates one named environment', () => {
    expect(mode({ push: true, env: 'staging', fromEnv: true })).toEqual({ ok: true, mode: { kind: 'push', env: 'staging' } });
    expect(mode({ rotate: 'SIGNING_SECRETS', env: 'staging' })).toEqual({
      ok: true,
      mode: { kind: 'rotate', env: 'staging', name: 'SIGNING_SECRETS', finish: false },
    });
    expect(mode({ finishRotation: 'SIGNING_SECRETS', env: 'staging' })).toMatchObject({ mode: { finish: true } });
    expect(mode({ local: true, force: true })).toEqual({ ok: true, mode: { kind: 'local' } });
  });

  it('finishes the one rotation in progress when --finish-rotation names none', () => {
    const rotations = { staging: { SIGNING_SECRETS: 'SIGNING_SECRETS_NEXT' }, production: {} };
    expect(resolveSecretsMode({ finishRotation: true, env: 'staging' }, envs, rotations)).toEqual({
      ok: true,
      mode: { kind: 'rotate', env: 'staging', name: 'SIGNING_SECRETS', finish: true },
    });
    expect(resolveSecretsMode({ finishRotation: true, env: 'production' }, envs, rotations)).toEqual({
      ok: false,
      message: '--finish-rotation: name the secret; rotations in progress for --env production: none',
    });
  });

  it.each<[string, SecretsFlags, RegExp]>([
    ['an unknown environment', { env: 'prod' }, /--env: 'prod' is not an environment of this project; allowed: staging, production/],
    ['--push without --env', { push: true }, /--env is required with --push; allowed: staging, production/],
    ['--rotate without --env', { rotate: 'SIGNING_SECRETS' }, /--env is required with --rotate/],
    ['two jobs at once', { push: true, local: true }, /--push and --local cannot be combined/],
    ['--check with a job', { push: true, env: 'staging', check: true }, /--check only checks the plan/],
    ['--from-file without a job that takes values', { fromFile: '.env' }, /--from-file gives values to --push or --local/],
    ['--force outside --local', { push: true, env: 'staging', force: true }, /--force only applies to --local/],
    ['--local with --env', { local: true, env: 'staging' }, /it takes no --env/],
    ['a rotation of something that is not a secret name', { rotate: 'signing secrets', env: 'staging' }, /is not a secret name/],
  ])('refuses %s with one message naming the flag', (_case, flags, message) => {
    const result = mode(flags);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});
