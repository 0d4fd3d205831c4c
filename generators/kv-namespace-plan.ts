import type { WorkerName } from './answers.js';
import { boundKvNamespaceId, kvNamespaceTitle, sharedKvNamespaces, withKvNamespaceIds, type KvNamespaceEntry } from './kv-namespaces.js';
import { manifestFileName, renderManifest, type ProjectManifest } from './manifest.js';
import { fileOrigin, planFiles, readState, type DesiredFile, type GeneratedState, type PlannedFile, type ProjectTree } from './plan.js';
import { buildWranglerConfig, renderWranglerConfig, workerConfigPath, type WranglerConfig } from './wrangler-config.js';
import { parseWranglerConfig } from './wrangler-config-read.js';
import { scriptName, workerDescriptors } from './workers/index.js';

/**
 * Before a deploy uploads anything, every KV namespace the deployed Workers bind gets one id per environment,
 * recorded in `appshell.json` `kvNamespaces` (the one source of resource ids) and written into every holder's
 * wrangler config. Left to wrangler, a namespace without an id is provisioned per Worker under the Worker's script
 * name: a shared one would split in two, a retry after a failed first upload asks for the same title again
 * (10014), and a renamed project or Worker would start on an empty namespace. Where the id comes from, in order:
 * appshell.json, the configs, the version a deployed Worker runs now, the account (by title), or a new namespace.
 *
 * The steps are pure; `cli/deploy-kv.ts` makes the wrangler calls between them.
 */
export type KvNamespaceSource = 'recorded' | 'config' | 'deployed' | 'found' | 'adopted' | 'created';

export interface KvNamespaceNeed {
  binding: string;
  /** The Workers of the project that bind it (every holder for a shared one; the one Worker otherwise). */
  workers: WorkerName[];
  /** appshell's title for it, `<project>-<binding>-<env>`: found by it, created under it. */
  title: string;
  /** The title wrangler gives a namespace it provisions on a Worker's first deploy (one holder only). */
  provisionedTitle?: string;
  known?: { id: string; source: 'recorded' | 'config' };
  /** Holders already deployed whose config has no id: the namespace their live version binds is the one to keep. */
  deployedHolders: WorkerName[];
}

export interface KvNamespaceReport {
  binding: string;
  /** Its title on the account when found or created now (else appshell's title for it). */
  title: string;
  id: string;
  source: KvNamespaceSource;
  workers: WorkerName[];
}

export type KvNamespaceRefusal = { ok: false; message: string; suggestion?: string };

interface HolderConfig {
  ids: Map<string, string>;
  /** Rewriting it is safe: appshell wrote it as it is. */
  ours: boolean;
}

/** A holder's config: the ids its `env` block binds, and whether appshell wrote it as it is (`state`: read once per plan). */
function readHolderConfig(
  tree: ProjectTree,
  state: GeneratedState | undefined,
  manifest: ProjectManifest,
  worker: WorkerName,
  env: string,
): HolderConfig | KvNamespaceRefusal | undefined {
  const path = workerConfigPath(manifest, worker);
  const text = tree.read(path);
  if (text === undefined) return undefined;
  let config: WranglerConfig;
  try {
    config = parseWranglerConfig(text, manifest.configFormat);
  } catch (error) {
    return { ok: false, message: `${path} cannot be read: ${(error as Error).message}; nothing was deployed` };
  }
  const ids = new Map<string, string>();
  for (const entry of config.env?.[env]?.kv_namespaces ?? []) {
    const id = boundKvNamespaceId(config, env, entry.binding);
    if (id) ids.set(entry.binding, id);
  }
  return { ids, ours: fileOrigin(tree, path, state) === 'appshell' };
}

/**
 * Step 1, before any call: which namespaces the Workers deployed now bind and what is already known of each. A
 * shared one (`API_KEYS`) is written into every holder's config, deployed now or not. Refuses when
 * appshell.json and the configs name different namespaces for one binding, or when a config that would have to
 * take an id was edited by the team (appshell does not rewrite it).
 */
export function planKvNamespaces(input: {
  manifest: ProjectManifest;
  env: string;
  tree: ProjectTree;
  deploying: readonly WorkerName[];
  /** Workers of this deploy already on the account. */
  deployed: readonly WorkerName[];
}): { ok: true; needs: KvNamespaceNeed[] } | KvNamespaceRefusal {
  const { manifest, env, tree } = input;
  const state = readState(tree);
  const allShared = sharedKvNamespaces(manifest);
  const sharedBindings = new Set(allShared.map((namespace) => namespace.binding));
  const shared = allShared.filter((namespace) => namespace.workers.some((worker) => input.deploying.includes(worker)));
  const own = manifest.workers
    .filter((worker) => input.deploying.includes(worker))
    .flatMap((worker) =>
      workerDescriptors[worker]
        .bindings(manifest)
        .kvNamespaces.filter(({ binding }) => !sharedBindings.has(binding))
        .map(({ binding }) => ({ binding, workers: [worker] })),
    );
  const configs = new Map<WorkerName, HolderConfig | undefined>();
  for (const worker of new Set([...shared, ...own].flatMap((namespace) => namespace.workers))) {
    const config = readHolderConfig(tree, state, manifest, worker, env);
    if (config && 'ok' in config) return config;
    configs.set(worker, config);
  }

  const recorded = manifest.kvNamespaces[env] ?? {};
  const needs: KvNamespaceNeed[] = [];
  for (const { binding, workers } of [...shared, ...own]) {
    const holders = workers.filter((worker) => configs.get(worker) !== undefined);
    const bound = [
      ...new Set(holders.map((worker) => configs.get(worker)!.ids.get(binding)).filter((id): id is string => id !== undefined)),
    ];
    const candidates = [...new Set([...(recorded[binding] ? [recorded[binding]] : []), ...bound])];
    if (candidates.length > 1) {
      const where = holders.map((worker) => `${workerConfigPath(manifest, worker)}: ${configs.get(worker)!.ids.get(binding) ?? 'no id'}`);
      return {
        ok: false,
        message: `${binding} in --env ${env} must be one KV namespace for ${workers.join(' and ')}, but appshell.json and the configs name ${candidates.join(', ')} (${where.join('; ')}); nothing was deployed`,
        suggestion: `Choose one id, put it in appshell.json kvNamespaces.${env}.${binding} and in every config above, then deploy again.`,
      };
    }
    const title = kvNamespaceTitle(manifest.name, binding, env);
    const lacking = holders.filter((worker) => !configs.get(worker)!.ids.has(binding));
    const edited = lacking.filter((worker) => !configs.get(worker)!.ours);
    if (edited.length > 0) {
      return {
        ok: false,
        message: `${edited.map((worker) => workerConfigPath(manifest, worker)).join(' and ')} changed since appshell wrote it, and its ${binding} in env.${env}.kv_namespaces has no id; nothing was created or deployed`,
        suggestion: `Add the id of the namespace ${title} (npx wrangler kv namespace list) to that entry and to appshell.json kvNamespaces.${env}.${binding}, then deploy again.`,
      };
    }
    const known = recorded[binding]
      ? { id: recorded[binding], source: 'recorded' as const }
      : bound[0]
        ? { id: bound[0], source: 'config' as const }
        : undefined;
    needs.push({
      binding,
      workers,
      title,
      ...(workers.length === 1
        ? { provisionedTitle: `${scriptName(manifest.name, workers[0]!, env)}-${binding.toLowerCase().replaceAll('_', '-')}` }
        : {}),
      ...(known ? { known } : {}),
      deployedHolders: known ? [] : lacking.filter((worker) => input.deployed.includes(worker)),
    });
  }
  return { ok: true, needs };
}

/** The Workers whose live version must be read (step 2) before the namespaces can be resolved. */
export function deployedHoldersToRead(needs: readonly KvNamespaceNeed[]): WorkerName[] {
  return [...new Set(needs.flatMap((need) => need.deployedHolders))];
}

/**
 * Step 3: each need resolved from what the calls found (the KV bindings of the deployed Workers' live versions,
 * the account's namespaces once listed). What is still unresolved must be created under its title; `listed`
 * undefined means the account was not asked yet (and is only asked when something is unresolved without it).
 */
export function resolveKvNamespaces(
  needs: readonly KvNamespaceNeed[],
  env: string,
  found: {
    deployed: ReadonlyMap<WorkerName, ReadonlyMap<string, string>>;
    listed?: readonly KvNamespaceEntry[];
    created?: ReadonlySet<string>;
  },
): { ok: true; reports: KvNamespaceReport[]; unresolved: KvNamespaceNeed[] } | KvNamespaceRefusal {
  const reports: KvNamespaceReport[] = [];
  const unresolved: KvNamespaceNeed[] = [];
  for (const need of needs) {
    const report = (id: string, source: KvNamespaceSource, title = need.title) =>
      reports.push({ binding: need.binding, title, id, source, workers: need.workers });
    if (need.known) {
      report(need.known.id, need.known.source);
      continue;
    }
    const live = [
      ...new Set(
        need.deployedHolders.map((worker) => found.deployed.get(worker)?.get(need.binding)).filter((id): id is string => id !== undefined),
      ),
    ];
    if (live.length > 1) {
      return {
        ok: false,
        message: `${need.binding} in --env ${env} must be one KV namespace, but the deployed ${need.deployedHolders.join(' and ')} bind ${live.join(' and ')}; nothing was deployed`,
        suggestion: `Choose one id, put it in appshell.json kvNamespaces.${env}.${need.binding}, then deploy again.`,
      };
    }
    if (live[0]) {
      report(live[0], 'deployed');
      continue;
    }
    const byTitle = found.listed?.find((entry) => entry.title === need.title);
    const provisioned = need.provisionedTitle ? found.listed?.find((entry) => entry.title === need.provisionedTitle) : undefined;
    if (byTitle) report(byTitle.id, found.created?.has(need.title) ? 'created' : 'found');
    else if (provisioned) report(provisioned.id, 'adopted', provisioned.title);
    else unresolved.push(need);
  }
  return { ok: true, reports, unresolved };
}

/**
 * Step 4: appshell.json with every id recorded and the configs of holders that do not bind it yet, through the
 * plan engine (a config changed in the meantime is a conflict, and nothing is written).
 */
export function planKvNamespaceWrites(input: {
  manifest: ProjectManifest;
  env: string;
  tree: ProjectTree;
  reports: readonly KvNamespaceReport[];
}): { ok: true; manifest: ProjectManifest; files: PlannedFile[] } | KvNamespaceRefusal {
  const { manifest, env, tree, reports } = input;
  const state = readState(tree);
  const next = withKvNamespaceIds(manifest, env, Object.fromEntries(reports.map((report) => [report.binding, report.id])));
  const desired: DesiredFile[] = [];
  if (next !== manifest && renderManifest(next) !== tree.read(manifestFileName))
    desired.push({ path: manifestFileName, content: renderManifest(next), neverConflicts: true });
  for (const worker of new Set(reports.flatMap((report) => report.workers))) {
    const path = workerConfigPath(manifest, worker);
    const config = readHolderConfig(tree, state, manifest, worker, env);
    if (config === undefined || 'ok' in config) continue;
    if (reports.some((report) => report.workers.includes(worker) && config.ids.get(report.binding) !== report.id)) {
      desired.push({ path, content: renderWranglerConfig(buildWranglerConfig(next, worker), manifest.configFormat) });
    }
  }
  if (desired.length === 0) return { ok: true, manifest: next, files: [] };
  const files = planFiles(desired, tree, { force: false });
  const conflict = files.find((file) => file.action === 'conflict');
  if (conflict)
    return { ok: false, message: `${conflict.path} changed while appshell was writing the KV namespace ids; nothing was deployed` };
  return { ok: true, manifest: next, files };
}

const sourceText: Record<KvNamespaceSource, string> = {
  recorded: 'recorded in appshell.json',
  config: 'from the wrangler configs',
  deployed: 'bound by the deployed Worker',
  found: 'found on Cloudflare',
  created: 'created',
  adopted: "made by wrangler for this Worker's first deploy; bound again instead of made twice",
};

/** One line of deploy output per namespace. */
export function describeKvNamespace(report: KvNamespaceReport, env: string): string {
  const holders = report.workers.length > 1 ? `shared by ${report.workers.join(', ')}` : `of ${report.workers[0]}`;
  // The title is the account's only when the namespace was found or made by it now.
  const title = ['found', 'adopted', 'created'].includes(report.source) ? `${report.title}, ` : '';
  return `KV namespace ${report.binding} (--env ${env}): ${title}id ${report.id} (${sourceText[report.source]}), ${holders}`;
}

/** `wrangler deployments status --json`: the version that serves the most traffic now, or undefined. */
export function readLiveVersionId(stdout: string): string | undefined {
  const value = parseJsonObject(stdout) as { versions?: { version_id?: unknown; percentage?: unknown }[] } | undefined;
  const versions = (value?.versions ?? []).filter((version) => typeof version.version_id === 'string');
  versions.sort((a, b) => Number(b.percentage ?? 0) - Number(a.percentage ?? 0));
  return versions[0]?.version_id as string | undefined;
}

/** `wrangler versions view <id> --json`: the KV namespaces that version binds, by binding name; undefined if unreadable. */
export function readVersionKvBindings(stdout: string): Map<string, string> | undefined {
  const value = parseJsonObject(stdout) as
    | { resources?: { bindings?: { type?: unknown; name?: unknown; namespace_id?: unknown }[] } }
    | undefined;
  const bindings = value?.resources?.bindings;
  if (!Array.isArray(bindings)) return undefined;
  return new Map(
    bindings
      .filter((binding) => binding.type === 'kv_namespace' && typeof binding.name === 'string' && typeof binding.namespace_id === 'string')
      .map((binding) => [binding.name as string, binding.namespace_id as string]),
  );
}

function parseJsonObject(stdout: string): unknown {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as unknown;
  } catch {
    return undefined;
  }
}
