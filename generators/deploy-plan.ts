import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { workerConfigPath } from './wrangler-config.js';
import { scriptName, workerDescriptors } from './workers/index.js';

/** Cloudflare's limits on a Worker's compressed size (gzip). */
export const bundleLimits = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 } as const;
export type AccountPlan = keyof typeof bundleLimits;

export interface DeployStep {
  worker: WorkerName;
  /** The Worker's name on Cloudflare: `<project>-<worker>` or `<project>-<worker>-<env>`. */
  scriptName: string;
  /** Relative to the project root. */
  configPath: string;
  /** Workers of this project it binds, which must be deployed first. */
  dependsOn: WorkerName[];
}

export type DeployPlanResult = { ok: true; steps: DeployStep[] } | { ok: false; field: string; message: string };

/** The Workers each Worker binds through service bindings (sender -> receiver, api -> auth-shim). */
export function bindingGraph(manifest: ProjectManifest): Map<WorkerName, WorkerName[]> {
  const graph = new Map<WorkerName, WorkerName[]>();
  for (const worker of manifest.workers) {
    const bound = workerDescriptors[worker].bindings(manifest).services.map((service) => service.worker);
    graph.set(
      worker,
      [...new Set(bound)].filter((target) => manifest.workers.includes(target)),
    );
  }
  return graph;
}

/**
 * Orders Workers so that each comes after the Workers it binds (a depth-first topological sort that keeps
 * the manifest's order among independent Workers). A cycle is reported rather than deployed half-way.
 */
export function deployOrder(manifest: ProjectManifest): { ok: true; order: WorkerName[] } | { ok: false; cycle: WorkerName[] } {
  const graph = bindingGraph(manifest);
  const order: WorkerName[] = [];
  const state = new Map<WorkerName, 'visiting' | 'done'>();
  const visit = (worker: WorkerName, path: WorkerName[]): WorkerName[] | undefined => {
    if (state.get(worker) === 'done') return undefined;
    if (state.get(worker) === 'visiting') return [...path.slice(path.indexOf(worker)), worker];
    state.set(worker, 'visiting');
    for (const dependency of graph.get(worker) ?? []) {
      const cycle = visit(dependency, [...path, worker]);
      if (cycle) return cycle;
    }
    state.set(worker, 'done');
    order.push(worker);
    return undefined;
  };
  for (const worker of manifest.workers) {
    const cycle = visit(worker, []);
    if (cycle) return { ok: false, cycle };
  }
  return { ok: true, order };
}

/** Why `--env` cannot name a deployed environment of this project (missing, or not one of them); undefined when it can. */
export function refuseEnvironment(
  manifest: ProjectManifest,
  env: string | undefined,
): { ok: false; field: '--env'; message: string } | undefined {
  if (env === undefined) return { ok: false, field: '--env', message: `--env is required; allowed: ${manifest.environments.join(', ')}` };
  if (manifest.environments.includes(env)) return undefined;
  return {
    ok: false,
    field: '--env',
    message: `--env: '${env}' is not an environment of this project; allowed: ${manifest.environments.join(', ')}`,
  };
}

/** Which Workers to deploy, in which order, with their resolved names for `env`. Pure. */
export function planDeploy(manifest: ProjectManifest, options: { env?: string; only?: string[] }): DeployPlanResult {
  // The top level of each wrangler config is local development (localhost origins, no Workers AI binding):
  // deploying it would ship a development Worker, so an environment is always named.
  const refused = refuseEnvironment(manifest, options.env);
  if (refused) return refused;
  for (const name of options.only ?? []) {
    if (!manifest.workers.includes(name as WorkerName)) {
      return {
        ok: false,
        field: '--only',
        message: `--only: '${name}' is not a Worker of this project; allowed: ${manifest.workers.join(', ')}`,
      };
    }
  }
  const ordered = deployOrder(manifest);
  if (!ordered.ok) {
    return { ok: false, field: 'appshell.json', message: `service bindings form a cycle: ${ordered.cycle.join(' -> ')}` };
  }
  const graph = bindingGraph(manifest);
  const selected = ordered.order.filter((worker) => !options.only || options.only.includes(worker));
  return {
    ok: true,
    steps: selected.map((worker) => ({
      worker,
      scriptName: scriptName(manifest.name, worker, options.env),
      configPath: workerConfigPath(manifest, worker),
      dependsOn: graph.get(worker) ?? [],
    })),
  };
}

/** wrangler's arguments for one step; `outdir` makes it a `--dry-run` bundle. */
export function deployArguments(step: DeployStep, options: { env: string; outdir?: string; secretsFile?: string }): string[] {
  const args = ['deploy', '--config', step.configPath, '--env', options.env];
  if (options.outdir !== undefined) args.push('--dry-run', '--outdir', options.outdir);
  // A first deploy carries its secrets: a JSON file (0600, removed after), never a value on argv.
  else if (options.secretsFile !== undefined) args.push('--secrets-file', options.secretsFile);
  return args;
}

export interface BundleSize {
  rawBytes: number;
  gzipBytes: number;
}

export type BundleVerdict = { ok: true } | { ok: false; message: string };

/** Checks a bundle's compressed size against the account plan's limit. */
export function checkBundleSize(size: BundleSize, plan: AccountPlan): BundleVerdict {
  const limit = bundleLimits[plan];
  if (size.gzipBytes <= limit) return { ok: true };
  return {
    ok: false,
    message: `${formatBytes(size.gzipBytes)} gzip is over the ${plan} plan's limit of ${formatBytes(limit)}`,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** Reads wrangler's ND-JSON output file: the `deploy` entry's URL and version id. */
export function readDeployOutput(text: string): { url?: string; versionId?: string } {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { type?: string; targets?: string[]; version_id?: string };
      if (entry.type === 'deploy') return { url: entry.targets?.[0], versionId: entry.version_id };
    } catch {
      // A partial last line (interrupted wrangler) is not an entry.
    }
  }
  return {};
}

export interface WranglerFailure {
  /** Cloudflare's error code when the API refused the call (10143: a service binding's target is missing, ...). */
  code?: number;
  /** What the refusal said, without wrangler's decoration. */
  message: string;
}

const ansiEscapes = /\x1b\[[0-9;]*m/g;

/**
 * What a failed wrangler run says went wrong: the `command-failed` entry of its ND-JSON output (code and message),
 * else the last `[code: N]` line of its console, else its last error line. Pure.
 */
export function readWranglerFailure(outputFileText: string, consoleText: string): WranglerFailure {
  for (const line of outputFileText.split('\n').reverse()) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { type?: string; code?: unknown; message?: unknown };
      if (entry.type === 'command-failed' && typeof entry.message === 'string') {
        const code = typeof entry.code === 'number' ? entry.code : undefined;
        const coded = consoleText.replace(ansiEscapes, '').match(/^\s*(.+?)(?:\s*\[code: \d+\])+\s*$/m)?.[1];
        return { ...(code !== undefined ? { code } : {}), message: code !== undefined && coded ? coded : entry.message };
      }
    } catch {
      // A torn line is not an entry.
    }
  }
  const text = consoleText.replace(ansiEscapes, '');
  const coded = [...text.matchAll(/^\s*(.+?)\s*\[code: (\d+)\]/gm)].at(-1);
  if (coded) return { code: Number(coded[2]), message: coded[1]!.trim() };
  const errorLine = [...text.matchAll(/\[ERROR\]\s*(.+)$/gm)].at(-1)?.[1];
  return { message: (errorLine ?? text.trim().split('\n').at(-1) ?? 'wrangler failed').trim() };
}

/** One line naming the Worker and, when Cloudflare refused it, the refusal's code. */
export function describeWranglerFailure(scriptName: string, failure: WranglerFailure): string {
  return failure.code !== undefined
    ? `Cloudflare refused ${scriptName} (code ${failure.code}): ${failure.message}`
    : `${scriptName}: ${failure.message}`;
}
