import type { DeployStep } from '../generators/deploy-plan.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { workerDescriptors } from '../generators/workers/index.js';
import { CliError } from './errors.js';
import { listSecretStates } from './secrets-remote.js';
import type { WranglerCommand } from './wrangler.js';

/**
 * Deploy preflight: every secret a Worker needs is set for the target environment (in its own name or, after a
 * rotation, in its second slot), except for Workers that do not exist yet (their secrets go in with the first
 * deploy: `appshell secrets --push` after it). Stops when wrangler cannot tell.
 */
export async function checkDeploySecrets(context: {
  root: string;
  manifest: ProjectManifest;
  env: string;
  steps: DeployStep[];
  wrangler: WranglerCommand;
  say: (line: string) => void;
}): Promise<void> {
  const { manifest, env } = context;
  const needing = context.steps
    .map((step) => ({ step, needed: workerDescriptors[step.worker].bindings(manifest).secrets.filter((secret) => !secret.optional) }))
    .filter(({ needed }) => needed.length > 0);
  const states = await listSecretStates({ root: context.root, manifest }, context.wrangler, env, needing.map(({ step }) => step.worker));
  const missing: string[] = [];
  for (const { step, needed } of needing) {
    const state = states.get(step.worker)!;
    if (state.kind === 'unknown') {
      throw new CliError(`wrangler could not list the secrets of ${step.scriptName}: ${state.why}; nothing was deployed`);
    }
    if (state.kind === 'not-deployed') {
      context.say(`${step.scriptName} does not exist yet: its secrets go in after its first deploy (appshell secrets --push --env ${env}).`);
      continue;
    }
    const absent = needed
      .filter((secret) => !state.names.has(secret.name) && !(secret.rotationSlot && state.names.has(secret.rotationSlot)))
      .map((secret) => secret.name);
    if (absent.length > 0) missing.push(`${step.scriptName}: ${absent.join(', ')}`);
  }
  if (missing.length > 0) {
    throw new CliError(`secrets missing for --env ${env}; nothing was deployed:\n  ${missing.join('\n  ')}`, {
      suggestion: `Run appshell secrets --push --env ${env}, then deploy again.`,
    });
  }
}
