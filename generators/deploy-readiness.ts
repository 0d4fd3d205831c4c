import { isDevelopmentOrigin, splitList, type WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { workerConfigPath, type WranglerConfig } from './wrangler-config.js';
import { workerDescriptors } from './workers/index.js';

/** A value a deployed environment lacks (or must not have), with how to set it. */
export interface ReadinessProblem {
  worker: WorkerName;
  /** The var in the Worker's config, e.g. `INSTANT_APP_ID`. */
  name: string;
  message: string;
  /** The command that sets it. */
  fix: string;
}

/**
 * What stops an environment from working once deployed, found before anything is uploaded: each var a Worker's
 * descriptor marks `requiredInDeploy` must be set in that environment's block of its config (as it will be
 * uploaded, hand edits included), and a browser-facing Worker must not allow a development origin there. An empty
 * allow-list is fine: an app with only native clients sends no `Origin`. wrangler must also know the account: the
 * configs' `account_id` (from `accountId`) or `CLOUDFLARE_ACCOUNT_ID`; a login that sees several accounts cannot
 * choose one without a terminal.
 */
export function checkDeployReadiness(
  manifest: ProjectManifest,
  env: string,
  workers: readonly WorkerName[],
  configOf: (worker: WorkerName) => WranglerConfig | undefined,
  options: { accountFromEnvironment?: boolean } = {},
): ReadinessProblem[] {
  const problems: ReadinessProblem[] = [];
  const unnamed = workers.filter((worker) => !configOf(worker)?.account_id);
  if (unnamed.length > 0 && !options.accountFromEnvironment) {
    problems.push({
      worker: unnamed[0]!,
      name: 'account_id',
      message: `no Cloudflare account is named in ${unnamed.map((worker) => workerConfigPath(manifest, worker)).join(', ')} (account_id) and CLOUDFLARE_ACCOUNT_ID is not set: wrangler cannot choose one when the login sees several accounts`,
      fix: 'npx appshell config set accountId <your account id>   (or export CLOUDFLARE_ACCOUNT_ID)',
    });
  }
  for (const worker of workers) {
    const config = configOf(worker);
    const vars = config?.env?.[env]?.vars ?? {};
    const where = `${workerConfigPath(manifest, worker)} (env ${env})`;
    for (const required of workerDescriptors[worker].bindings(manifest).requiredInDeploy ?? []) {
      if ((vars[required.name] ?? '').trim() !== '') continue;
      problems.push({
        worker,
        name: required.name,
        message: `${required.name} is empty in ${where}: ${required.why}`,
        fix: `npx appshell config set ${required.field} <value>`,
      });
    }
    if (workerDescriptors[worker].cors) {
      const development = splitList(vars.ALLOWED_ORIGINS ?? '').filter(isDevelopmentOrigin);
      if (development.length > 0) {
        problems.push({
          worker,
          name: 'ALLOWED_ORIGINS',
          message: `ALLOWED_ORIGINS in ${where} allows ${development.join(', ')}: a development origin, in a deployed environment`,
          fix: `npx appshell config set origins.${env} https://app.example.com   (your app's real origins, comma-separated)`,
        });
      }
    }
  }
  return problems;
}
