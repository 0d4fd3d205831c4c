import type { WorkerName } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import type { RemoteState } from '../generators/secrets-plan.js';
import { readSecretList, saysNotLoggedIn, wranglerWriteFailure } from '../generators/secrets-remote.js';
import { workerDescriptors } from '../generators/workers/index.js';
import { workerConfigPath } from '../generators/wrangler-config.js';
import { CliError } from './errors.js';
import type { LoadedProject } from './project.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

/**
 * The environment wrangler runs with: every secret name this project knows is removed, so a value the team
 * exported for `--from-env` reaches wrangler only on stdin, never through its environment.
 */
export function scrubbedEnv(manifest: ProjectManifest): Record<string, undefined> {
  const names = manifest.workers.flatMap((worker) =>
    workerDescriptors[worker]
      .bindings(manifest)
      .secrets.flatMap((secret) => [secret.name, ...(secret.rotationSlot ? [secret.rotationSlot] : [])]),
  );
  return Object.fromEntries(names.map((name) => [name, undefined]));
}

/** Runs one wrangler secrets command from the project root, with metrics off and secret names scrubbed. */
export function runSecretsWrangler(project: LoadedProject, wrangler: WranglerCommand, args: string[], input?: string) {
  return runWrangler(wrangler, args, { cwd: project.root, input, env: scrubbedEnv(project.manifest) });
}

/** What `wrangler secret list --format json --env <env>` says about each Worker (asked in parallel: read only). */
export async function listSecretStates(
  project: LoadedProject,
  wrangler: WranglerCommand,
  env: string,
  workers: readonly WorkerName[] = project.manifest.workers,
): Promise<Map<WorkerName, RemoteState>> {
  const entries = await Promise.all(
    workers.map(async (worker): Promise<[WorkerName, RemoteState]> => {
      const args = ['secret', 'list', '--format', 'json', '--config', workerConfigPath(project.manifest, worker), '--env', env];
      return [worker, readSecretList(await runSecretsWrangler(project, wrangler, args))];
    }),
  );
  return new Map(entries);
}

/** Stops before anything is written when wrangler has no Cloudflare credentials (`whoami` exits 0 then). */
export async function requireLogin(project: LoadedProject, wrangler: WranglerCommand): Promise<void> {
  const result = await runSecretsWrangler(project, wrangler, ['whoami']);
  if (result.exitCode !== 0 || saysNotLoggedIn(result)) {
    throw new CliError('wrangler is not logged in to Cloudflare; nothing was pushed', {
      suggestion: 'Run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) in CI.',
    });
  }
}

/**
 * One `wrangler secret bulk` with the values as JSON on stdin. Returns why it failed, or undefined. Any value
 * wrangler might echo is masked in its output (as it is and as JSON writes it) before anything reads it.
 */
export async function bulkPut(
  project: LoadedProject,
  wrangler: WranglerCommand,
  worker: WorkerName,
  env: string,
  values: Record<string, string>,
) {
  const args = ['secret', 'bulk', '--config', workerConfigPath(project.manifest, worker), '--env', env];
  const result = await runSecretsWrangler(project, wrangler, args, JSON.stringify(values));
  const secrets = Object.values(values);
  return wranglerWriteFailure({ exitCode: result.exitCode, stdout: mask(result.stdout, secrets), all: mask(result.all, secrets) });
}

/**
 * `wrangler secret delete <NAME>`: wrangler 4.86.0 (the last on Node 20) reads a `null` in `secret bulk` input as
 * a value, not as a deletion (that came later, workers-sdk #14019), so deletions go one name at a time. Without
 * a terminal wrangler takes its confirmation's default (yes).
 */
export async function deleteSecret(project: LoadedProject, wrangler: WranglerCommand, worker: WorkerName, env: string, name: string) {
  const args = ['secret', 'delete', name, '--config', workerConfigPath(project.manifest, worker), '--env', env];
  return wranglerWriteFailure(await runSecretsWrangler(project, wrangler, args));
}

/** A clack spinner around a slow wrangler step when a person watches a terminal; nothing otherwise. */
export async function withProgress<T>(text: string, quiet: boolean | undefined, step: () => Promise<T>): Promise<T> {
  if (quiet || !process.stdout.isTTY) return step();
  const { spinner } = await import('@clack/prompts');
  const current = spinner();
  current.start(text);
  try {
    const result = await step();
    current.stop(text);
    return result;
  } catch (error) {
    current.stop(`${text}: failed`);
    throw error;
  }
}

function mask(text: string, values: string[]): string {
  const forms = values.flatMap((value) => [JSON.stringify(value).slice(1, -1), value]).filter((form) => form.length >= 4);
  return forms.reduce((masked, form) => masked.split(form).join('***'), text);
}
