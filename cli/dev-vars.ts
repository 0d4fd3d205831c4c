import { join } from 'node:path';
import type { WorkerName } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { planLocalSecrets, type LocalFilePlan } from '../generators/secrets-local.js';
import { usageError } from './errors.js';
import { generateSecretValue } from './secret-values.js';
import { readIfPresent, writePrivateFiles } from './secrets-local.js';

/**
 * `.dev.vars` for every Worker before `appshell dev` starts them, written exactly as `appshell secrets --local`
 * writes them (its plan): missing generated secrets get values, one per shared group; provided ones come from
 * the environment when set; the team's lines and every value already there stay; files are mode 0600.
 */
export async function ensureLocalDevVars(
  root: string,
  manifest: ProjectManifest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalFilePlan[]> {
  const existing = new Map<WorkerName, string | undefined>();
  for (const worker of manifest.workers) existing.set(worker, await readIfPresent(join(root, 'workers', worker, '.dev.vars')));
  const plan = planLocalSecrets({
    manifest,
    existing,
    provided: (name) => env[name] || undefined,
    generate: generateSecretValue,
    force: false,
  });
  if (!plan.ok) throw usageError(plan.message, 'Write that value into .dev.vars by hand.');
  await writePrivateFiles(
    root,
    plan.files.filter((file) => file.content !== undefined),
  );
  return plan.files;
}
