import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { planRehearsal, type RehearsalPlan } from '../generators/rehearsal-plan.js';
import { startAccountServer, type RunningAccountServer } from '../emulator/account-server.js';
import { localOverrideVars } from '../generators/dev-plan.js';
import { runDeployedWorkers } from '../emulator/account-runtime.js';
import { createAccountState } from '../emulator/account-state.js';
import { accountDataDir, loadAccountState, saveAccountState } from '../emulator/account-store.js';
import { startIdentityStandIn } from './dev-identity.js';
import { CliError, usageError } from './errors.js';
import { print } from './output.js';
import { loadProject } from './project.js';
import { runSmokeFlow, type SmokeResult } from './rehearse-smoke.js';

export interface RehearseFlags {
  env?: string;
  only?: string;
  dryRun?: boolean;
  json?: boolean;
  rehearseState?: string;
}

export interface RehearsalStepReport {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface RehearsalReport {
  ok: boolean;
  env: string;
  /** Kept between runs here, when `--rehearse-state` was given. */
  stateDir?: string;
  steps: RehearsalStepReport[];
  failedStep?: string;
  skipped: RehearsalPlan['skipped'];
}

/** What is copied: the team's files, never installed packages, local state or local secrets. */
const leftOut = new Set(['node_modules', '.wrangler', '.rehearsal', '.git', '.dev.vars']);

/**
 * Copies the project so that what wrangler writes back on a first deploy (ids, provisioned resources) and what
 * appshell records (appshell.json) stay in the copy, never in the team's files; packages are linked, not copied.
 */
async function copyProject(root: string, manifestWorkers: string[], into: string): Promise<string> {
  const copy = join(into, 'project');
  await cp(root, copy, { recursive: true, filter: (source) => !leftOut.has(source.split(/[\\/]/).pop() ?? '') });
  for (const dir of ['', ...manifestWorkers.map((worker) => join('workers', worker))]) {
    const modules = join(root, dir, 'node_modules');
    if (existsSync(modules)) await symlink(modules, join(copy, dir, 'node_modules'));
  }
  return copy;
}

/** Runs this same appshell on the copy, pointed at the emulated account. */
async function runAppshell(args: string[], cwd: string, account: RunningAccountServer) {
  const { execa } = await import('execa');
  const entry = process.argv[1]!;
  const result = await execa(process.execPath, [entry, ...args], { cwd, reject: false, stdin: 'ignore', env: account.wranglerEnv() });
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * `appshell deploy --rehearse`: the real wrangler deploys a copy of the project to an emulated Cloudflare account on
 * this machine (fresh, or kept in `--rehearse-state`), the secrets go in as `secrets --push` puts them, the deployed
 * Workers run in workerd, and a smoke flow checks them. Nothing leaves the machine; no Cloudflare login is needed.
 */
export async function runDeployRehearse(flags: RehearseFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const planned = planRehearsal(manifest, {
    env: flags.env,
    stateDir: flags.rehearseState ? resolve(flags.rehearseState) : undefined,
    only: flags.only,
    dryRun: flags.dryRun,
  });
  if (!planned.ok) throw usageError(planned.message);
  const plan = planned.plan;
  if (!existsSync(join(root, 'node_modules'))) {
    throw new CliError('the project has no node_modules: the rehearsal deploys with its own wrangler', {
      suggestion: 'Run npm install in the project.',
    });
  }
  const json = Boolean(flags.json);
  const say = json ? () => {} : print;
  const steps: RehearsalStepReport[] = [];
  const record = (step: RehearsalStepReport) => {
    steps.push(step);
    say(`${step.ok ? '✓' : '✗'} ${step.name}${step.detail ? `: ${step.detail}` : ''}`);
    return step.ok;
  };

  say(
    `Rehearsing deploy --env ${plan.env} on an emulated Cloudflare account (nothing leaves this machine)${plan.stateDir ? `, kept in ${plan.stateDir}` : ''}`,
  );
  const scratch = await mkdtemp(join(tmpdir(), 'appshell-rehearsal-'));
  // The emulated account is the project's own (its account_id is in every config), or a made-up one.
  const fresh = { accountId: manifest.accountId };
  const state = plan.stateDir ? await loadAccountState(plan.stateDir, fresh) : createAccountState(fresh);
  for (const namespace of plan.kvNamespaces)
    if (!state.kvNamespaces.some((held) => held.id === namespace.id)) state.kvNamespaces.push(namespace);
  const account = await startAccountServer({
    state,
    onChange: plan.stateDir ? (current) => saveAccountState(plan.stateDir!, current) : undefined,
  });
  const identity = await startIdentityStandIn();
  let running: Awaited<ReturnType<typeof runDeployedWorkers>> | undefined;
  try {
    const copy = await copyProject(root, manifest.workers, scratch);
    say(`… deploying ${manifest.workers.length} Worker(s) with the project's wrangler`);
    // As CI deploys: no prompt, provided secrets from this shell's environment; a first deploy carries its secrets.
    const deploy = await runAppshell(['deploy', '--env', plan.env, '--json', '--yes', '--from-env'], copy, account);
    const report = (() => {
      try {
        return JSON.parse(deploy.stdout) as { workers: { scriptName: string; status: string; error?: string }[] };
      } catch {
        return undefined;
      }
    })();
    const failedWorker = report?.workers.find((worker) => worker.status === 'failed');
    const deployed = report?.workers.filter((worker) => worker.status === 'deployed').map((worker) => worker.scriptName) ?? [];
    if (
      record(
        deploy.exitCode === 0
          ? { name: 'deploy', ok: true, detail: deployed.join(', ') }
          : { name: 'deploy', ok: false, detail: failedWorker?.error ?? lastLines(deploy.stderr || deploy.stdout, 12) },
      ) &&
      record(await pushSecrets(plan, copy, account))
    ) {
      const overrides = localOverrideVars(manifest, 'auth-shim', identity.url);
      try {
        running = await runDeployedWorkers(account.state, {
          resolveFrom: root,
          persistDir: plan.stateDir ? accountDataDir(plan.stateDir) : undefined,
          varOverrides: plan.scripts['auth-shim'] ? { [plan.scripts['auth-shim']]: overrides } : {},
        });
        record({ name: 'start the deployed Workers in workerd', ok: true });
      } catch (error) {
        record({ name: 'start the deployed Workers in workerd', ok: false, detail: (error as Error).message.split('\n')[0] });
      }
      if (running) {
        const urls = running.urls;
        await runSmokeFlow(
          plan.smoke,
          (step) => urls[plan.scripts[step.worker]]!,
          (result: SmokeResult) => record(result),
        );
      }
    }
  } finally {
    await running?.close().catch(() => {});
    await identity.close();
    await account.close();
    await rm(scratch, { recursive: true, force: true });
  }
  for (const { name, needs } of plan.skipped) say(`- ${name}: skipped (the project has no ${needs} Worker)`);

  const failed = steps.find((step) => !step.ok);
  const result: RehearsalReport = {
    ok: !failed,
    env: plan.env,
    ...(plan.stateDir ? { stateDir: plan.stateDir } : {}),
    steps,
    ...(failed ? { failedStep: failed.name } : {}),
    skipped: plan.skipped,
  };
  if (json) print(JSON.stringify(result, null, 2));
  else
    print(
      failed
        ? `\nRehearsal failed at: ${failed.name}`
        : `\nRehearsal passed: deploy --env ${plan.env} would go through and the Workers answer.`,
    );
  if (failed) process.exitCode = 1;
}

async function pushSecrets(plan: RehearsalPlan, copy: string, account: RunningAccountServer): Promise<RehearsalStepReport> {
  // Provided secrets come from this shell's environment (as `secrets --push --from-env`); generated ones are made.
  const push = await runAppshell(['secrets', '--push', '--env', plan.env, '--yes', '--from-env'], copy, account);
  if (push.exitCode === 0) return { name: 'push secrets', ok: true };
  return { name: 'push secrets', ok: false, detail: lastLines(push.stderr || push.stdout, 3) };
}
