import { planPush, planSecrets, providedSecrets, type PushPlan, type WorkerSecrets } from '../generators/secrets-plan.js';
import { CancelledError, CliError, usageError } from './errors.js';
import { print } from './output.js';
import type { LoadedProject } from './project.js';
import { generateSecretValue } from './secret-values.js';
import { canPrompt, promptForMissing, readSuppliedValues } from './secrets-input.js';
import { bulkPut, listSecretStates, requireLogin, withProgress } from './secrets-remote.js';
import type { WranglerCommand } from './wrangler.js';

export interface PushOptions {
  env: string;
  fromEnv?: boolean;
  fromFile?: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** What `--push --json` prints: names only, never a value. */
export interface PushReport {
  ok: boolean;
  env: string;
  dryRun: boolean;
  /** Every call the plan holds (what --dry-run would send). */
  planned: { worker: string; scriptName: string; names: string[] }[];
  pushed: { worker: string; scriptName: string; names: string[] }[];
  failed?: { worker: string; scriptName: string; reason: string };
  notAttempted: { worker: string; scriptName: string; names: string[] }[];
  notDeployed: PushPlan['notDeployed'];
  replaced: PushPlan['replaces'];
}

async function confirmReplacing(plan: PushPlan, options: PushOptions): Promise<void> {
  if (plan.replaces.length === 0 || options.yes || options.dryRun) return;
  const groups = [...new Set(plan.replaces.map((entry) => entry.sharedGroup))].join(', ');
  const list = plan.replaces.map((entry) => `${entry.name} on ${entry.scriptName}`).join(', ');
  const why = `Values cannot be read back, so shared group ${groups} gets one new value on every deployed member, replacing ${list}`;
  if (!canPrompt(options.yes)) {
    throw usageError(`${why}; nothing was pushed`, 'Pass --yes to accept (sessions or signatures made with the old value stop verifying).');
  }
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message: `${why}. Continue?`, initialValue: false });
  if (prompts.isCancel(answer) || !answer) throw new CancelledError();
}

/** The values of one call: generated ones once per shared group, provided ones from what the team gave. */
export function valuesFor(
  names: string[],
  worker: WorkerSecrets,
  provided: Map<string, string>,
  groups: Map<string, string>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const row = worker.secrets.find((candidate) => candidate.name === name)!;
    if (row.source === 'provided') values[name] = provided.get(name)!;
    else if (row.sharedGroup) {
      if (!groups.has(row.sharedGroup)) groups.set(row.sharedGroup, generateSecretValue(name));
      values[name] = groups.get(row.sharedGroup)!;
    } else values[name] = generateSecretValue(name);
  }
  return values;
}

/**
 * `appshell secrets --push --env <env>`: logged in -> every Worker's secret names -> plan (only what is
 * missing) -> values (generated, --from-env, --from-file, masked prompt) -> one `wrangler secret bulk` per
 * Worker, JSON on stdin. Stops at the first failure and names what was pushed and what was not attempted.
 */
export async function runPush(project: LoadedProject, wrangler: WranglerCommand, options: PushOptions): Promise<void> {
  const { env } = options;
  const say = options.json ? () => {} : print;
  await requireLogin(project, wrangler);
  const states = await withProgress(`Reading the secret names of ${env} with wrangler secret list`, options.json, () =>
    listSecretStates(project, wrangler, env),
  );
  const workers = planSecrets(project.manifest, env, states);
  const unknown = workers.filter((worker) => worker.remote.kind === 'unknown');
  if (unknown.length > 0) {
    const reasons = unknown.map((worker) => `${worker.scriptName}: ${worker.remote.kind === 'unknown' ? worker.remote.why : ''}`);
    throw new CliError(`wrangler could not list the secrets of every Worker; nothing was pushed:\n  ${reasons.join('\n  ')}`);
  }

  const providedNames = providedSecrets(project.manifest).map((secret) => secret.name);
  const provided = await readSuppliedValues(providedNames, { fromEnv: options.fromEnv, fromFile: options.fromFile });
  const plan = planPush(workers, { supplied: new Set(provided.keys()) });
  const planned = plan.calls.map(({ worker, scriptName, names }) => ({ worker, scriptName, names }));
  const report: PushReport = {
    ok: true,
    env,
    dryRun: Boolean(options.dryRun),
    planned,
    pushed: [],
    notAttempted: [],
    notDeployed: plan.notDeployed,
    replaced: plan.replaces,
  };

  for (const worker of plan.notDeployed) {
    say(
      `${worker.scriptName} is not deployed yet, so it cannot hold secrets: deploy it (appshell deploy --env ${env}), then run appshell secrets --push --env ${env} again.`,
    );
  }
  for (const group of plan.regeneratedGroups)
    say(`Shared group ${group}: one new value goes to every deployed Worker of the group, so they stay equal.`);
  for (const group of plan.incompleteGroups) {
    say(
      `Shared group ${group.sharedGroup}: ${group.waiting.join(', ')} not deployed yet; pushing to it later gives the whole group a new value.`,
    );
  }
  if (plan.calls.length > 0) say(options.dryRun ? 'Would push (dry run):' : 'To push:');
  for (const call of plan.calls) say(`  ${call.scriptName} (${call.configPath} --env ${env}): ${call.names.join(', ')}`);

  if (options.dryRun) {
    if (plan.providedNeeded.length > 0) say(`Would ask for: ${plan.providedNeeded.join(', ')}`);
    if (options.json) print(JSON.stringify(report, null, 2));
    else print('Dry run: nothing was pushed.');
    return;
  }
  if (plan.calls.length === 0) {
    if (options.json) print(JSON.stringify(report, null, 2));
    else print(plan.notDeployed.length > 0 ? 'Nothing to push to the deployed Workers.' : 'Nothing to push: every Worker has its secrets.');
    return;
  }

  // Every question comes before the first call, so a refusal (exit 2) leaves Cloudflare untouched.
  await confirmReplacing(plan, options);
  for (const [name, value] of await promptForMissing(plan.providedNeeded, options.yes)) provided.set(name, value);

  const groups = new Map<string, string>();
  for (const [index, call] of plan.calls.entries()) {
    const worker = workers.find((candidate) => candidate.worker === call.worker)!;
    const failure = await bulkPut(project, wrangler, call.worker, env, valuesFor(call.names, worker, provided, groups));
    if (failure !== undefined) {
      report.ok = false;
      report.failed = { worker: call.worker, scriptName: call.scriptName, reason: failure };
      report.notAttempted = planned.slice(index + 1);
      if (options.json) print(JSON.stringify(report, null, 2));
      const list = (entries: { scriptName: string }[]) => entries.map((entry) => entry.scriptName).join(', ') || 'none';
      // A group that reached some members only will get yet another value on the next push: say so now.
      const inGroup = (group: string) => (entry: { worker: string }) =>
        workers.find((w) => w.worker === entry.worker)!.secrets.some((row) => row.sharedGroup === group);
      const split = plan.regeneratedGroups.filter(
        (group) => report.pushed.some(inGroup(group)) && [call, ...report.notAttempted].some(inGroup(group)),
      );
      const again = `run appshell secrets --push --env ${env} again: it sends only what is still missing`;
      throw new CliError(
        `wrangler secret bulk failed for ${call.scriptName}: ${failure}\nPushed: ${list(report.pushed)}\nNot pushed: ${call.scriptName}\nNot attempted: ${list(report.notAttempted)}`,
        {
          suggestion:
            split.length > 0
              ? `Fix the cause and ${again} (with --yes: shared group ${split.join(', ')} then gets one new value on every member).`
              : `Fix the cause and ${again}.`,
        },
      );
    }
    report.pushed.push({ worker: call.worker, scriptName: call.scriptName, names: call.names });
    say(`  pushed ${call.names.length} secret(s) to ${call.scriptName}`);
  }
  if (options.json) print(JSON.stringify(report, null, 2));
  else print(`Done: ${new Set(report.pushed.map((entry) => entry.worker)).size} Worker(s) updated for ${env}.`);
}
