import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  checkBundleSize,
  deployArguments,
  describeWranglerFailure,
  formatBytes,
  planDeploy,
  readDeployOutput,
  readWranglerFailure,
  type AccountPlan,
  type BundleSize,
  type DeployStep,
} from '../generators/deploy-plan.js';
import { checkDeployReadiness, type ReadinessProblem } from '../generators/deploy-readiness.js';
import { planKvNamespaces } from '../generators/kv-namespace-plan.js';
import { splitList } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { parseWranglerConfig } from '../generators/wrangler-config-read.js';
import { CliError, usageError } from './errors.js';
import { print } from './output.js';
import { loadProject } from './project.js';
import { ensureKvNamespaces, type KvNamespaceReport } from './deploy-kv.js';
import { diskTree } from './disk-tree.js';
import { preflightAccount } from './deploy-account.js';
import { prepareDeploySecrets } from './deploy-secrets.js';
import { bulkPut } from './secrets-remote.js';
import { findWrangler, runWrangler, type WranglerCommand } from './wrangler.js';

export interface DeployFlags {
  env?: string;
  only?: string;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  plan?: string;
  fromEnv?: boolean;
  fromFile?: string;
}

type WorkerStatus = 'deployed' | 'bundled' | 'failed' | 'not-attempted';

export interface WorkerReport {
  worker: string;
  scriptName: string;
  status: WorkerStatus;
  url?: string;
  versionId?: string;
  /** Cloudflare's error code when the API refused the upload. */
  cloudflareCode?: number;
  rawBytes?: number;
  gzipBytes?: number;
  error?: string;
}

export interface DeployReport {
  ok: boolean;
  env: string;
  dryRun: boolean;
  wrangler: { version: string; source: WranglerCommand['source'] };
  /** Every KV namespace the deployed Workers bind, resolved before the first Worker is deployed (none on --dry-run). */
  kvNamespaces: KvNamespaceReport[];
  workers: WorkerReport[];
}

/** A spinner in a terminal, plain lines elsewhere (CI logs); silent with --json. */
async function progress(json: boolean) {
  if (json) return { start: (_: string) => {}, stop: (_: string) => {} };
  if (process.stdout.isTTY) {
    const { spinner } = await import('@clack/prompts');
    const current = spinner();
    return { start: (text: string) => current.start(text), stop: (text: string) => current.stop(text) };
  }
  return { start: (text: string) => print(`${text}...`), stop: (text: string) => print(text) };
}

async function measureBundle(outdir: string): Promise<BundleSize> {
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const entry of await readdir(outdir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.map') || entry.name === 'README.md') continue;
    const content = await readFile(join(entry.parentPath, entry.name));
    rawBytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { rawBytes, gzipBytes };
}

/**
 * `appshell deploy`: preflight (manifest, wrangler, login, secrets) -> deploy each Worker after the Workers it
 * binds -> stop at the first failure and say what is deployed, what failed and what was not attempted.
 */
export async function runDeploy(flags: DeployFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const accountPlan = (flags.plan ?? 'free') as AccountPlan;
  if (accountPlan !== 'free' && accountPlan !== 'paid') throw usageError(`--plan: '${flags.plan}' is not allowed; allowed: free, paid`);
  const only = flags.only === undefined ? undefined : splitList(flags.only);
  const planned = planDeploy(manifest, { env: flags.env, only });
  if (!planned.ok) throw usageError(planned.message);
  const env = flags.env as string;
  const json = Boolean(flags.json);
  const dryRun = Boolean(flags.dryRun);
  const say = json ? () => {} : print;

  // Preflight: each failure stops before anything is deployed.
  const problems = await readinessProblems(root, manifest, env, planned.steps);
  if (problems.length > 0 && !dryRun) {
    throw new CliError(`--env ${env} is not ready to deploy; nothing was deployed:\n${formatProblems(problems)}`, {
      suggestion: 'Set each value, then deploy again (appshell deploy --dry-run lists them without uploading).',
    });
  }
  for (const line of problems.length > 0 ? [`A real deploy of --env ${env} would refuse:`, formatProblems(problems)] : []) say(line);
  const wrangler = findWrangler(root);
  const versionResult = await runWrangler(wrangler, ['--version'], { cwd: root });
  if (versionResult.exitCode !== 0) {
    throw new CliError(`wrangler does not run (${wrangler.file}):\n${versionResult.all}`, {
      suggestion: 'Run npm install in the project.',
    });
  }
  const version = versionResult.stdout.trim().split('\n').pop() ?? 'unknown';
  say(`wrangler ${version} (${wrangler.source}: ${wrangler.file})`);
  let kvNamespaces: KvNamespaceReport[] = [];
  let secrets: Awaited<ReturnType<typeof prepareDeploySecrets>> = { files: new Map(), regroup: [], firstDeploy: [] };
  const scratch = await mkdtemp(join(tmpdir(), 'appshell-deploy-'));
  try {
    if (!dryRun) {
      const whoami = await runWrangler(wrangler, ['whoami'], { cwd: root });
      if (whoami.exitCode !== 0 || /not authenticated/i.test(whoami.all)) {
        throw new CliError('wrangler is not logged in to Cloudflare', {
          suggestion: 'Run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (in CI).',
        });
      }
      const accountProblems = await preflightAccount(
        { root, manifest, wrangler },
        planned.steps.map((step) => step.worker),
      );
      if (accountProblems.length > 0) {
        const lines = accountProblems.map((problem) => `  ${problem.message}\n    ${problem.fix}`).join('\n');
        throw new CliError(`the account is not set up for this deploy; nothing was deployed:\n${lines}`);
      }
      secrets = await prepareDeploySecrets({
        root,
        manifest,
        env,
        steps: planned.steps,
        wrangler,
        say,
        scratch,
        fromEnv: flags.fromEnv,
        fromFile: flags.fromFile,
        yes: flags.yes,
      });
      const deploying = planned.steps.map((step) => step.worker);
      kvNamespaces = (await ensureKvNamespaces({ root, manifest, env, wrangler, say, deploying, firstDeploy: secrets.firstDeploy }))
        .namespaces;
    } else {
      const kv = planKvNamespaces({
        manifest,
        env,
        tree: diskTree(root),
        deploying: planned.steps.map((step) => step.worker),
        deployed: [],
      });
      for (const need of kv.ok ? kv.needs.filter((candidate) => !candidate.known) : []) {
        const holders = need.workers.length > 1 ? `shared by ${need.workers.join(', ')}` : `of ${need.workers[0]}`;
        say(
          `KV namespace ${need.binding} (${holders}) has no id for --env ${env} yet: a real deploy keeps the one a deployed Worker binds, or finds or creates ${need.title}, first.`,
        );
      }
      if (!kv.ok) say(`A real deploy would refuse: ${kv.message}`);
    }

    const reports: WorkerReport[] = planned.steps.map((step) => ({
      worker: step.worker,
      scriptName: step.scriptName,
      status: 'not-attempted',
    }));
    const spinner = await progress(json);
    let failed = false;
    for (const [index, step] of planned.steps.entries()) {
      const report = reports[index]!;
      spinner.start(`${dryRun ? 'Bundling' : 'Deploying'} ${step.worker} as ${step.scriptName}`);
      const outcome = await deployOne(step, {
        root,
        env,
        wrangler,
        scratch,
        dryRun,
        accountPlan,
        secretsFile: secrets.files.get(step.worker),
      });
      Object.assign(report, outcome);
      if (report.status === 'failed') {
        spinner.stop(`${step.worker}: failed`);
        if (!json && outcome.output) process.stderr.write(`${outcome.output.trimEnd()}\n`);
        failed = true;
        break;
      }
      const detail = dryRun
        ? `${formatBytes(report.rawBytes ?? 0)} raw, ${formatBytes(report.gzipBytes ?? 0)} gzip`
        : `${report.url ?? 'no URL (routes or custom domain)'}${report.versionId ? `, version ${report.versionId}` : ''}`;
      spinner.stop(`${step.worker} ${dryRun ? 'bundled' : 'deployed'} as ${step.scriptName}: ${detail}`);
    }
    if (!failed) {
      for (const member of secrets.regroup) {
        const failure = await bulkPut({ root, manifest }, wrangler, member.worker, env, member.values);
        if (failure !== undefined) {
          throw new CliError(`every Worker is deployed, but ${member.scriptName} did not get its shared group's new value: ${failure}`, {
            suggestion: `Run appshell secrets --push --env ${env} --yes: the group gets one new value on every member.`,
          });
        }
        say(`${member.scriptName}: ${Object.keys(member.values).join(', ')} set to its group's new value`);
      }
    }
    const result: DeployReport = {
      ok: !failed,
      env,
      dryRun,
      wrangler: { version, source: wrangler.source },
      kvNamespaces,
      workers: reports,
    };
    if (json) print(JSON.stringify(result, null, 2));
    else printSummary(result);
    if (failed) process.exitCode = 1;
  } finally {
    // The secrets files go with it.
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What each Worker's config, as it will be uploaded (hand edits included), lacks for `env`. */
async function readinessProblems(root: string, manifest: ProjectManifest, env: string, steps: DeployStep[]): Promise<ReadinessProblem[]> {
  const configs = new Map(
    await Promise.all(
      steps.map(
        async (step) =>
          [step.worker, parseWranglerConfig(await readFile(join(root, step.configPath), 'utf8'), manifest.configFormat)] as const,
      ),
    ),
  );
  return checkDeployReadiness(
    manifest,
    env,
    steps.map((step) => step.worker),
    (worker) => configs.get(worker),
    {
      accountFromEnvironment: Boolean(process.env.CLOUDFLARE_ACCOUNT_ID),
    },
  );
}

function formatProblems(problems: ReadinessProblem[]): string {
  return problems.map((problem) => `  ${problem.message}\n    set it: ${problem.fix}`).join('\n');
}

async function deployOne(
  step: DeployStep,
  context: {
    root: string;
    env: string;
    wrangler: WranglerCommand;
    scratch: string;
    dryRun: boolean;
    accountPlan: AccountPlan;
    secretsFile?: string;
  },
): Promise<Partial<WorkerReport> & { output?: string }> {
  const outdir = join(context.scratch, 'bundles', step.worker);
  const outputFile = join(context.scratch, `${step.worker}.ndjson`);
  const result = await runWrangler(
    context.wrangler,
    deployArguments(step, { env: context.env, outdir: context.dryRun ? outdir : undefined, secretsFile: context.secretsFile }),
    { cwd: context.root, env: { WRANGLER_OUTPUT_FILE_PATH: outputFile } },
  );
  if (result.exitCode !== 0) {
    const failure = readWranglerFailure(await readFile(outputFile, 'utf8').catch(() => ''), result.all);
    return {
      status: 'failed',
      error: describeWranglerFailure(step.scriptName, failure),
      ...(failure.code !== undefined ? { cloudflareCode: failure.code } : {}),
      output: result.all,
    };
  }
  if (context.dryRun) {
    const size = await measureBundle(outdir);
    const verdict = checkBundleSize(size, context.accountPlan);
    if (!verdict.ok) return { status: 'failed', ...size, error: verdict.message, output: `${step.worker}: ${verdict.message}` };
    return { status: 'bundled', ...size };
  }
  const output = readDeployOutput(await readFile(outputFile, 'utf8').catch(() => ''));
  return { status: 'deployed', ...output };
}

function printSummary(report: DeployReport): void {
  const names = (status: WorkerStatus) => report.workers.filter((worker) => worker.status === status).map((worker) => worker.scriptName);
  const done = names(report.dryRun ? 'bundled' : 'deployed');
  print('');
  print(`${report.dryRun ? 'Bundled' : 'Deployed'}: ${done.length ? done.join(', ') : 'none'}`);
  if (!report.ok) {
    const failedWorker = report.workers.find((worker) => worker.status === 'failed');
    print(`Failed: ${failedWorker?.scriptName} (${failedWorker?.error})`);
    if (failedWorker?.cloudflareCode === 10143)
      print('A service binding names a Worker that is not deployed: deploy it first (appshell deploy deploys in dependency order).');
    print(`Not attempted: ${names('not-attempted').join(', ') || 'none'}`);
  }
}
