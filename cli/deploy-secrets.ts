import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerName } from '../generators/answers.js';
import type { DeployStep } from '../generators/deploy-plan.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { missingOnDeployed, planFirstDeploySecrets, planSecrets, providedSecrets } from '../generators/secrets-plan.js';
import { CancelledError, CliError } from './errors.js';
import { canPrompt, promptForMissing, readSuppliedValues } from './secrets-input.js';
import { valuesFor } from './secrets-push.js';
import { listSecretStates } from './secrets-remote.js';
import type { WranglerCommand } from './wrangler.js';

export interface DeploySecretsContext {
  root: string;
  manifest: ProjectManifest;
  env: string;
  steps: DeployStep[];
  wrangler: WranglerCommand;
  say: (line: string) => void;
  /** A private folder (0700) that the deploy removes when it ends. */
  scratch: string;
  fromEnv?: boolean;
  fromFile?: string;
  yes?: boolean;
}

/**
 * Deploy preflight for secrets, before any upload. A Worker that exists must already hold every secret it needs
 * (in its own name or, during a rotation, in its second slot). A Worker deployed for the first time carries its
 * secrets in that first upload, so it never goes live without them: generated values (one per shared group for the
 * whole deploy) and the provided ones from --from-env, --from-file or a masked prompt. Each goes into a 0600 JSON
 * file in `scratch`, handed to `wrangler deploy --secrets-file`: never on argv, gone when the deploy ends.
 *
 * A shared group with a member already deployed and one deployed now for the first time (a first deploy that failed
 * half-way, a Worker added later) cannot share the deployed value: it cannot be read back. With --yes (or a yes at
 * the prompt) the new member carries a new value and, once every Worker is deployed, the deployed members get the
 * same one (`regroup`), as `secrets --push --yes` would give them.
 *
 * Returns the file of each Worker that gets one, and what to push to deployed members afterwards.
 */
export async function prepareDeploySecrets(context: DeploySecretsContext): Promise<{
  files: Map<WorkerName, string>;
  regroup: { worker: WorkerName; scriptName: string; values: Record<string, string> }[];
  firstDeploy: WorkerName[];
}> {
  const { manifest, env } = context;
  const deploying = context.steps.map((step) => step.worker);
  // Every Worker of the project, not only those deployed now: a shared group's deployed members matter too.
  const states = await listSecretStates({ root: context.root, manifest }, context.wrangler, env);
  const workers = planSecrets(manifest, env, states);
  for (const worker of workers) {
    if (worker.remote.kind === 'unknown') {
      throw new CliError(`wrangler could not list the secrets of ${worker.scriptName}: ${worker.remote.why}; nothing was deployed`);
    }
  }
  const missing = missingOnDeployed(workers, deploying);
  if (missing.length > 0) {
    throw new CliError(
      `secrets missing for --env ${env}; nothing was deployed:\n  ${missing.map((entry) => `${entry.scriptName}: ${entry.names.join(', ')}`).join('\n  ')}`,
      {
        suggestion: `Run appshell secrets --push --env ${env}, then deploy again.`,
      },
    );
  }

  const providedNames = providedSecrets(manifest, deploying).map((secret) => secret.name);
  const provided = await readSuppliedValues(providedNames, { fromEnv: context.fromEnv, fromFile: context.fromFile });
  const first = planFirstDeploySecrets(workers, deploying, new Set(provided.keys()));
  if (first.splitGroups.length > 0) await confirmRegroup(first.splitGroups, context);
  for (const [name, value] of await promptForMissing(first.providedNeeded, context.yes, 'nothing was deployed')) provided.set(name, value);

  const files = new Map<WorkerName, string>();
  const groups = new Map<string, string>();
  for (const upload of first.uploads) {
    const worker = workers.find((candidate) => candidate.worker === upload.worker)!;
    const file = join(context.scratch, `${upload.worker}.secrets.json`);
    await writeFile(file, JSON.stringify(valuesFor(upload.names, worker, provided, groups)), { mode: 0o600 });
    files.set(upload.worker, file);
    context.say(`${upload.scriptName} is new: its first upload carries ${upload.names.join(', ')}.`);
  }
  const regroup = first.splitGroups.flatMap((group) =>
    workers
      .filter((worker) => group.deployed.includes(worker.scriptName))
      .map((worker) => {
        const names = worker.secrets.filter((row) => row.sharedGroup === group.sharedGroup).map((row) => row.name);
        return { worker: worker.worker, scriptName: worker.scriptName, values: valuesFor(names, worker, provided, groups) };
      }),
  );
  return { files, regroup, firstDeploy: first.firstDeploy };
}

async function confirmRegroup(
  groups: { sharedGroup: string; deployed: string[]; first: string[] }[],
  context: DeploySecretsContext,
): Promise<void> {
  const lines = groups.map(
    (group) => `${group.sharedGroup}: ${group.first.join(', ')} is new, and the value on ${group.deployed.join(', ')} cannot be read back`,
  );
  const why = `the whole group gets one new value: the new Worker with its first upload, the deployed ones after the deploy\n  ${lines.join('\n  ')}`;
  if (context.yes) {
    context.say(`Shared secret groups: ${why}`);
    return;
  }
  if (!canPrompt(context.yes)) {
    throw new CliError(`a shared secret cannot reach a Worker deployed for the first time; nothing was deployed: ${why}`, {
      suggestion: `Run appshell deploy --env ${context.env} --yes to agree.`,
    });
  }
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message: `Shared secret groups: ${why}. Continue?`, initialValue: false });
  if (prompts.isCancel(answer) || !answer) throw new CancelledError();
}
