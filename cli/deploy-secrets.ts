import type { DeployStep } from '../generators/deploy-plan.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { workerDescriptors } from '../generators/workers/index.js';
import { CliError } from './errors.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

/** What `wrangler secret list` says about one Worker of one environment. */
export type RemoteSecrets = { exists: true; names: Set<string> } | { exists: false };

/** Reads the names of a deployed Worker's secrets; a Worker that does not exist yet has none to read. */
export async function listRemoteSecrets(
  wrangler: WranglerCommand,
  root: string,
  configPath: string,
  env: string,
): Promise<RemoteSecrets> {
  const result = await runWrangler(wrangler, ['secret', 'list', '--format', 'json', '--config', configPath, '--env', env], { cwd: root });
  if (result.exitCode !== 0) {
    if (/10007|does not exist|not found/i.test(result.all)) return { exists: false };
    throw new CliError(`wrangler secret list failed for ${configPath} (--env ${env}):\n${result.all.trim()}`);
  }
  try {
    const entries = JSON.parse(result.stdout) as { name: string }[];
    return { exists: true, names: new Set(entries.map((entry) => entry.name)) };
  } catch {
    throw new CliError(`wrangler secret list printed something other than JSON for ${configPath}`);
  }
}

/**
 * Deploy preflight: every secret a Worker needs is set for the target environment, except for Workers that
 * do not exist yet (their secrets go in with the first deploy: `appshell secrets --push` after it).
 */
export async function checkDeploySecrets(context: {
  root: string;
  manifest: ProjectManifest;
  env: string;
  steps: DeployStep[];
  wrangler: WranglerCommand;
  say: (line: string) => void;
}): Promise<void> {
  const missing: string[] = [];
  for (const step of context.steps) {
    const needed = workerDescriptors[step.worker].bindings(context.manifest).secrets.filter((secret) => !secret.optional).map((secret) => secret.name);
    if (needed.length === 0) continue;
    const remote = await listRemoteSecrets(context.wrangler, context.root, step.configPath, context.env);
    if (!remote.exists) {
      context.say(`${step.scriptName} does not exist yet: its secrets go in after its first deploy (appshell secrets --push --env ${context.env}).`);
      continue;
    }
    const absent = needed.filter((name) => !remote.names.has(name));
    if (absent.length > 0) missing.push(`${step.scriptName}: ${absent.join(', ')}`);
  }
  if (missing.length > 0) {
    throw new CliError(`secrets missing for --env ${context.env}; nothing was deployed:\n  ${missing.join('\n  ')}`, {
      suggestion: `Run appshell secrets --push --env ${context.env}, then deploy again.`,
    });
  }
}
