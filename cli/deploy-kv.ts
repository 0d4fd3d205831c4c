import {
  boundKvNamespaceId,
  kvNamespaceTitle,
  provisionedKvNamespaces,
  readKvNamespaceList,
  sharedKvNamespaces,
  withKvNamespaceIds,
  type KvNamespaceEntry,
} from '../generators/kv-namespaces.js';
import { manifestFileName, renderManifest, type ProjectManifest } from '../generators/manifest.js';
import { hashContent, planFiles, readState, type DesiredFile, type ProjectTree } from '../generators/plan.js';
import { buildWranglerConfig, renderWranglerConfig, workerConfigPath } from '../generators/wrangler-config.js';
import { parseWranglerConfig } from '../generators/wrangler-config-read.js';
import type { WorkerName } from '../generators/answers.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { CliError } from './errors.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

export interface KvNamespaceReport {
  binding: string;
  title: string;
  id: string;
  /** Where the id came from: appshell.json, the Workers' configs, an existing namespace of that title, or created now. */
  source: 'recorded' | 'config' | 'found' | 'created' | 'adopted';
  workers: WorkerName[];
}

interface Context {
  root: string;
  manifest: ProjectManifest;
  env: string;
  wrangler: WranglerCommand;
  say: (line: string) => void;
  /** Workers this deploy creates (not on the account yet): their own namespaces may be left from a failed try. */
  firstDeploy?: WorkerName[];
}

/**
 * Deploy preflight for KV namespaces several Workers share (`API_KEYS`): one namespace per environment, found by
 * its title or created, its id recorded in `appshell.json` and written into every holder's wrangler config before
 * any Worker is deployed. Stops (exit 1) before creating anything when a config that needs the id was edited by
 * the team, or when the configs already disagree about which namespace they bind.
 */
export async function ensureSharedKvNamespaces(context: Context): Promise<{ manifest: ProjectManifest; namespaces: KvNamespaceReport[] }> {
  const { root, manifest, env } = context;
  const shared = sharedKvNamespaces(manifest);
  const provisioned = provisionedKvNamespaces(manifest, env, context.firstDeploy ?? []);
  if (shared.length === 0 && provisioned.length === 0) return { manifest, namespaces: [] };
  const tree = diskTree(root);
  const onDisk = new Map(
    [...new Set([...shared.flatMap((namespace) => namespace.workers), ...provisioned.map((namespace) => namespace.worker)])].map(
      (worker) => [worker, readConfig(tree, workerConfigPath(manifest, worker), manifest.configFormat, env)] as const,
    ),
  );

  // Decide every id that is already known, and check that the configs needing one can take it, before any call.
  const recorded = manifest.kvNamespaces[env] ?? {};
  const pending: { binding: string; workers: WorkerName[]; title: string; known?: { id: string; source: 'recorded' | 'config' } }[] = [];
  for (const { binding, workers } of shared) {
    const bound = [...new Set(workers.map((worker) => onDisk.get(worker)?.ids.get(binding)).filter((id): id is string => id !== undefined))];
    const candidates = [...new Set([...(recorded[binding] ? [recorded[binding]] : []), ...bound])];
    if (candidates.length > 1) {
      const where = workers.map((worker) => `${workerConfigPath(manifest, worker)}: ${onDisk.get(worker)?.ids.get(binding) ?? 'no id'}`);
      throw new CliError(
        `${binding} in --env ${env} must be one KV namespace for ${workers.join(' and ')}, but appshell.json and the configs name ${candidates.join(', ')} (${where.join('; ')}); nothing was deployed`,
        { suggestion: `Choose one id, put it in appshell.json kvNamespaces.${env}.${binding} and in every config above, then deploy again.` },
      );
    }
    const stale = workers.filter((worker) => onDisk.get(worker)?.ids.get(binding) === undefined);
    const edited = stale.filter((worker) => onDisk.get(worker)?.edited);
    if (edited.length > 0) {
      throw new CliError(
        `${edited.map((worker) => workerConfigPath(manifest, worker)).join(' and ')} changed since appshell wrote it, and its ${binding} in env.${env}.kv_namespaces has no id; nothing was created or deployed`,
        {
          suggestion: `Add the id of the shared namespace ${kvNamespaceTitle(manifest.name, binding, env)} (npx wrangler kv namespace list) to that entry and to appshell.json kvNamespaces.${env}.${binding}, then deploy again.`,
        },
      );
    }
    const known = recorded[binding] ? { id: recorded[binding], source: 'recorded' as const } : bound[0] ? { id: bound[0], source: 'config' as const } : undefined;
    pending.push({ binding, workers, title: kvNamespaceTitle(manifest.name, binding, env), ...(known ? { known } : {}) });
  }

  let listed: KvNamespaceEntry[] | undefined;
  const firstConfig = workerConfigPath(manifest, shared[0]?.workers[0] ?? provisioned[0]!.worker);
  const reports: KvNamespaceReport[] = [];
  for (const namespace of pending) {
    let resolved: { id: string; source: KvNamespaceReport['source'] } | undefined = namespace.known;
    if (!resolved) {
      listed ??= await listNamespaces(context, firstConfig);
      const found = listed.find((entry) => entry.title === namespace.title);
      if (found) resolved = { id: found.id, source: 'found' };
    }
    if (!resolved) {
      await createNamespace(context, firstConfig, namespace.title);
      listed = await listNamespaces(context, firstConfig);
      const created = listed.find((entry) => entry.title === namespace.title);
      if (!created) throw new CliError(`wrangler created the KV namespace ${namespace.title} but does not list it; nothing was deployed`);
      resolved = { id: created.id, source: 'created' };
    }
    reports.push({ binding: namespace.binding, title: namespace.title, ...resolved, workers: namespace.workers });
  }
  // A namespace wrangler made for a Worker whose first upload then failed: bound as it is, never made twice.
  for (const namespace of provisioned) {
    const config = onDisk.get(namespace.worker);
    if (!config || config.edited || config.ids.has(namespace.binding)) continue;
    listed ??= await listNamespaces(context, firstConfig);
    const found = listed.find((entry) => entry.title === namespace.title);
    if (found) reports.push({ binding: namespace.binding, title: namespace.title, id: found.id, source: 'adopted', workers: [namespace.worker] });
  }
  if (reports.length === 0) return { manifest, namespaces: [] };

  const next = withKvNamespaceIds(manifest, env, Object.fromEntries(reports.map((report) => [report.binding, report.id])));
  const desired: DesiredFile[] = [{ path: manifestFileName, content: renderManifest(next), neverConflicts: true }];
  for (const [worker, config] of onDisk) {
    const complete = reports.every((report) => !report.workers.includes(worker) || config?.ids.get(report.binding) === report.id);
    if (!complete) desired.push({ path: workerConfigPath(manifest, worker), content: renderWranglerConfig(buildWranglerConfig(next, worker), manifest.configFormat) });
  }
  const files = planFiles(desired, tree, { force: false });
  const conflict = files.find((file) => file.action === 'conflict');
  // Checked above; a file that changed in between is not overwritten.
  if (conflict) throw new CliError(`${conflict.path} changed while appshell was writing the KV namespace ids; nothing was deployed`);
  await applyPlan({ root, newProject: false, files });
  for (const report of reports) {
    const how = {
      recorded: 'recorded in appshell.json',
      config: 'from the wrangler configs',
      found: 'found on Cloudflare',
      created: 'created',
      adopted: 'left on Cloudflare by an earlier deploy that failed; bound again instead of made twice',
    }[report.source];
    const holders = report.workers.length > 1 ? `shared by ${report.workers.join(', ')}` : `of ${report.workers[0]}`;
    context.say(`KV namespace ${report.binding} (--env ${env}): ${report.title}, id ${report.id} (${how}), ${holders}`);
  }
  return { manifest: next, namespaces: reports };
}

/** A holder's config: the KV ids its `env` block binds, and whether the team changed it since appshell wrote it. */
function readConfig(tree: ProjectTree, path: string, format: ProjectManifest['configFormat'], env: string): { ids: Map<string, string>; edited: boolean } | undefined {
  const text = tree.read(path);
  if (text === undefined) return undefined;
  let config;
  try {
    config = parseWranglerConfig(text, format);
  } catch (error) {
    throw new CliError(`${path} cannot be read: ${(error as Error).message}; nothing was deployed`);
  }
  const ids = new Map<string, string>();
  for (const entry of config.env?.[env]?.kv_namespaces ?? []) {
    const id = boundKvNamespaceId(config, env, entry.binding);
    if (id) ids.set(entry.binding, id);
  }
  return { ids, edited: readState(tree)?.files[path] !== hashContent(text) };
}

async function listNamespaces(context: Context, configPath: string): Promise<KvNamespaceEntry[]> {
  const result = await runWrangler(context.wrangler, ['kv', 'namespace', 'list', '--config', configPath], { cwd: context.root });
  const entries = result.exitCode === 0 ? readKvNamespaceList(result.stdout) : null;
  if (!entries) throw new CliError(`wrangler kv namespace list failed; nothing was deployed:\n${result.all.trim()}`);
  return entries;
}

async function createNamespace(context: Context, configPath: string, title: string): Promise<void> {
  // --no-update-config: appshell writes the id itself (into appshell.json and every holder's config).
  const result = await runWrangler(context.wrangler, ['kv', 'namespace', 'create', title, '--config', configPath, '--no-update-config'], {
    cwd: context.root,
  });
  if (result.exitCode !== 0) throw new CliError(`wrangler kv namespace create ${title} failed; nothing was deployed:\n${result.all.trim()}`);
}
