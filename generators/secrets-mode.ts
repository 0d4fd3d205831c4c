/** The flags of `appshell secrets`, as commander hands them over. */
export interface SecretsFlags {
  env?: string;
  json?: boolean;
  check?: boolean;
  push?: boolean;
  fromEnv?: boolean;
  fromFile?: string;
  yes?: boolean;
  local?: boolean;
  force?: boolean;
  dryRun?: boolean;
  rotate?: string;
  /** A secret name, or `true` (no name): the one rotation in progress for --env. */
  finishRotation?: string | true;
}

export type SecretsMode =
  | { kind: 'plan'; envs: string[]; check: boolean }
  | { kind: 'push'; env: string }
  | { kind: 'rotate'; env: string; name: string; finish: boolean }
  | { kind: 'local' };

/**
 * Which of the command's jobs the flags ask for, or one message naming the flag at fault (exit 2). Pure, so
 * every combination is checked before wrangler runs or a file is read.
 *
 * @example
 * resolveSecretsMode({ push: true, env: 'staging' }, ['staging', 'production']); // { ok: true, mode: { kind: 'push', env: 'staging' } }
 */
export function resolveSecretsMode(
  flags: SecretsFlags,
  environments: readonly string[],
  rotations: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): { ok: true; mode: SecretsMode } | { ok: false; message: string } {
  const allowed = environments.join(', ');
  const fail = (message: string) => ({ ok: false as const, message });
  const chosen = [
    flags.push && '--push',
    flags.local && '--local',
    flags.rotate !== undefined && '--rotate',
    flags.finishRotation !== undefined && '--finish-rotation',
  ].filter((flag): flag is string => Boolean(flag));
  if (chosen.length > 1) return fail(`${chosen.join(' and ')} cannot be combined; run them one after the other`);
  const job = chosen[0];
  if (flags.env !== undefined && !environments.includes(flags.env))
    return fail(`--env: '${flags.env}' is not an environment of this project; allowed: ${allowed}`);
  if (flags.check && job) return fail(`--check only checks the plan; it cannot be combined with ${job}`);
  if ((flags.fromEnv || flags.fromFile !== undefined) && job !== '--push' && job !== '--local') {
    return fail(`${flags.fromEnv ? '--from-env' : '--from-file'} gives values to --push or --local`);
  }
  if (flags.force && job !== '--local') return fail('--force only applies to --local (replace values already in .dev.vars)');

  if (job === '--local') {
    if (flags.env !== undefined) return fail('--local writes the values for local development (.dev.vars); it takes no --env');
    return { ok: true, mode: { kind: 'local' } };
  }
  if (job === undefined)
    return { ok: true, mode: { kind: 'plan', envs: flags.env ? [flags.env] : [...environments], check: Boolean(flags.check) } };
  if (flags.env === undefined) return fail(`--env is required with ${job}; allowed: ${allowed}`);
  if (job === '--push') return { ok: true, mode: { kind: 'push', env: flags.env } };
  const finish = job === '--finish-rotation';
  if (finish && flags.finishRotation === true) {
    const inProgress = Object.keys(rotations[flags.env] ?? {});
    if (inProgress.length !== 1) {
      return fail(`--finish-rotation: name the secret; rotations in progress for --env ${flags.env}: ${inProgress.join(', ') || 'none'}`);
    }
    return { ok: true, mode: { kind: 'rotate', env: flags.env, name: inProgress[0]!, finish } };
  }
  const name = String(finish ? flags.finishRotation : flags.rotate).trim();
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return fail(`${job}: '${name}' is not a secret name (capital letters, digits and _)`);
  return { ok: true, mode: { kind: 'rotate', env: flags.env, name, finish } };
}
