import type { WorkerName } from '../generators/answers.js';
import {
  deployedHoldersToRead,
  describeKvNamespace,
  planKvNamespaces,
  planKvNamespaceWrites,
  readLiveVersionId,
  readVersionKvBindings,
  resolveKvNamespaces,
  type KvNamespaceRefusal,
  type KvNamespaceReport,
} from '../generators/kv-namespace-plan.js';
import { readKvNamespaceList, type KvNamespaceEntry } from '../generators/kv-namespaces.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { workerConfigPath } from '../generators/wrangler-config.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { CliError } from './errors.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

export type { KvNamespaceReport } from '../generators/kv-namespace-plan.js';

interface Context {
  root: string;
  manifest: ProjectManifest;
  env: string;
  wrangler: WranglerCommand;
  say: (line: string) => void;
  /** The Workers of this deploy, and those of them not on the account yet. */
  deploying: readonly WorkerName[];
  firstDeploy: readonly WorkerName[];
}

function refuse(refusal: KvNamespaceRefusal): never {
  throw new CliError(refusal.message, refusal.suggestion ? { suggestion: refusal.suggestion } : {});
}

/**
 * Deploy preflight for KV namespaces (the decisions are `generators/kv-namespace-plan.ts`'s): every namespace the
 * deployed Workers bind gets its id (read from a deployed Worker, found by title or created) recorded in
 * `appshell.json` and written into its holders' configs before any Worker is uploaded.
 */
export async function ensureKvNamespaces(context: Context): Promise<{ manifest: ProjectManifest; namespaces: KvNamespaceReport[] }> {
  const { root, manifest, env, deploying } = context;
  const deployed = deploying.filter((worker) => !context.firstDeploy.includes(worker));
  const planned = planKvNamespaces({ manifest, env, tree: diskTree(root), deploying, deployed });
  if (!planned.ok) refuse(planned);
  if (planned.needs.length === 0) return { manifest, namespaces: [] };
  const accountConfig = workerConfigPath(manifest, deploying[0]!);

  const live = new Map<WorkerName, Map<string, string>>();
  for (const worker of deployedHoldersToRead(planned.needs)) live.set(worker, await readLiveKvBindings(context, worker));
  let resolved = resolveKvNamespaces(planned.needs, env, { deployed: live });
  if (resolved.ok && resolved.unresolved.length > 0) {
    const listed = await listNamespaces(context, accountConfig);
    resolved = resolveKvNamespaces(planned.needs, env, { deployed: live, listed });
    if (resolved.ok && resolved.unresolved.length > 0) {
      const created = new Set<string>();
      for (const need of resolved.unresolved) {
        await createNamespace(context, accountConfig, need.title);
        created.add(need.title);
      }
      resolved = resolveKvNamespaces(planned.needs, env, { deployed: live, listed: await listNamespaces(context, accountConfig), created });
      if (resolved.ok && resolved.unresolved.length > 0) {
        throw new CliError(`wrangler created the KV namespace ${resolved.unresolved[0]!.title} but does not list it; nothing was deployed`);
      }
    }
  }
  if (!resolved.ok) refuse(resolved);

  // Read again: a config changed since the first look is a conflict, and nothing is written.
  const written = planKvNamespaceWrites({ manifest, env, tree: diskTree(root), reports: resolved.reports });
  if (!written.ok) refuse(written);
  if (written.files.length > 0) await applyPlan({ root, newProject: false, files: written.files });
  for (const report of resolved.reports) context.say(describeKvNamespace(report, env));
  return { manifest: written.manifest, namespaces: resolved.reports };
}

/** The KV namespaces the version a deployed Worker serves now binds, by binding name. */
async function readLiveKvBindings(context: Context, worker: WorkerName): Promise<Map<string, string>> {
  const config = workerConfigPath(context.manifest, worker);
  const scope = ['--config', config, '--env', context.env, '--json'];
  const status = await runWrangler(context.wrangler, ['deployments', 'status', ...scope], { cwd: context.root });
  const versionId = status.exitCode === 0 ? readLiveVersionId(status.stdout) : undefined;
  const version = versionId
    ? await runWrangler(context.wrangler, ['versions', 'view', versionId, ...scope], { cwd: context.root })
    : undefined;
  const bindings = version?.exitCode === 0 ? readVersionKvBindings(version.stdout) : undefined;
  if (!bindings) {
    throw new CliError(
      `could not read which KV namespaces the deployed ${worker} binds now; nothing was deployed:\n${(version ?? status).all.trim()}`,
      {
        suggestion: `Put the ids in appshell.json kvNamespaces.${context.env} (npx wrangler kv namespace list), then deploy again.`,
      },
    );
  }
  return bindings;
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
  if (result.exitCode !== 0)
    throw new CliError(`wrangler kv namespace create ${title} failed; nothing was deployed:\n${result.all.trim()}`);
}
