import { describeSource, planSecrets, type WorkerSecrets } from '../generators/secrets-plan.js';
import { resolveSecretsMode, type SecretsFlags } from '../generators/secrets-mode.js';
import { usageError } from './errors.js';
import { print } from './output.js';
import { loadProject, type LoadedProject } from './project.js';
import { listSecretStates, withProgress } from './secrets-remote.js';
import { findWrangler, type WranglerCommand } from './wrangler.js';

export type { SecretsFlags } from '../generators/secrets-mode.js';

function remoteLabel(worker: WorkerSecrets): string {
  if (worker.remote.kind === 'exists') return 'deployed';
  if (worker.remote.kind === 'not-deployed') return 'not deployed yet';
  return `unknown: ${worker.remote.why}`;
}

function printPlan(env: string, workers: WorkerSecrets[]): void {
  print(`Environment ${env}:`);
  for (const worker of workers) {
    print(`  ${worker.scriptName} (${worker.configPath} --env ${env}) — ${remoteLabel(worker)}`);
    if (worker.secrets.length === 0) print('    no secrets');
    for (const row of worker.secrets) {
      const notes = [describeSource(row)];
      if (row.optional) notes.push(`optional: ${row.description}`);
      if (row.rotatingInto) notes.push(`rotation in progress, new value in ${row.rotatingInto}`);
      print(`    ${row.status.padEnd(8)} ${row.name}  (${notes.join('; ')})`);
    }
    if (worker.remote.kind === 'not-deployed' && worker.secrets.some((row) => !row.optional)) {
      print(`    -> its secrets go in after its first deploy: appshell deploy --env ${env}, then appshell secrets --push --env ${env}`);
    }
  }
}

/** The plan of every environment asked for: status from `wrangler secret list`, source of every value. */
async function runPlan(
  project: LoadedProject,
  wrangler: WranglerCommand,
  envs: string[],
  flags: { json?: boolean; check: boolean },
): Promise<void> {
  // One environment at a time (its Workers in parallel): at most four wrangler processes at once.
  const plans: (readonly [string, WorkerSecrets[]])[] = [];
  for (const env of envs) {
    const states = await withProgress(`Reading the secret names of ${env} with wrangler secret list`, flags.json, () =>
      listSecretStates(project, wrangler, env),
    );
    plans.push([env, planSecrets(project.manifest, env, states)]);
  }
  const rows = plans.flatMap(([, workers]) => workers.flatMap((worker) => worker.secrets));
  const missing = rows.filter((row) => row.status === 'missing').length;
  const unknown = rows.filter((row) => row.status === 'unknown').length;
  if (flags.json) {
    const environments = Object.fromEntries(
      plans.map(([env, workers]) => [
        env,
        workers.map((worker) => ({
          ...worker,
          remote: worker.remote.kind === 'exists' ? { kind: 'exists', names: [...worker.remote.names].sort() } : worker.remote,
          secrets: worker.secrets.map((row) => ({ ...row, from: describeSource(row) })),
        })),
      ]),
    );
    print(JSON.stringify({ environments, missing, unknown }, null, 2));
  } else {
    for (const [env, workers] of plans) printPlan(env, workers);
    if (missing === 0 && unknown === 0) print('Every required secret is set.');
    else
      print(
        `${[missing && `${missing} secret(s) missing`, unknown && `${unknown} unknown (wrangler could not tell)`].filter(Boolean).join(', ')}.`,
      );
  }
  // For CI, a secret wrangler could not confirm is as bad as a missing one.
  if (flags.check && missing + unknown > 0) process.exitCode = 1;
}

/**
 * `appshell secrets`: the plan of every Worker's secrets per environment (status from `wrangler secret list`),
 * `--check` for CI, `--push` (one `wrangler secret bulk` per Worker, JSON on stdin), `--rotate` /
 * `--finish-rotation`, and `--local` (.dev.vars). Values are never printed, logged, put on argv or on disk
 * outside `.dev.vars`.
 *
 * @example
 * // appshell secrets --check --env production   (CI: exit 1 while something is missing or unknown)
 * await runSecrets({ check: true, env: 'production' });
 */
export async function runSecrets(flags: SecretsFlags): Promise<void> {
  const project = await loadProject();
  const resolved = resolveSecretsMode(flags, project.manifest.environments, project.manifest.rotations);
  if (!resolved.ok) throw usageError(resolved.message);
  const { mode } = resolved;
  if (mode.kind === 'local') {
    const { runLocal } = await import('./secrets-local.js');
    return runLocal(project, flags);
  }
  const wrangler = findWrangler(project.root);
  if (mode.kind === 'plan') return runPlan(project, wrangler, mode.envs, { json: flags.json, check: mode.check });
  if (mode.kind === 'push') {
    const { runPush } = await import('./secrets-push.js');
    return runPush(project, wrangler, { ...flags, env: mode.env });
  }
  const { runRotation } = await import('./secrets-rotation.js');
  return runRotation(project, wrangler, { ...mode, dryRun: flags.dryRun, json: flags.json });
}
