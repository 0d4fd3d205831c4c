import { renderActionFiles } from '../add-action.js';
import { renderRouteFiles } from '../add-route.js';
import { manifestFileName, renderManifest, templateVersion as cliTemplateVersion, type ProjectManifest } from '../manifest.js';
import { parseManifest } from '../manifest-read.js';
import {
  basePath,
  hashContent,
  keepsBaseCopy,
  readBase,
  readState,
  renderState,
  statePath,
  type PlannedFile,
  type ProjectTree,
} from '../plan.js';
import { renderProject } from '../project-files.js';
import { compareVersions } from '../releases.js';
import type { TemplateSource } from '../template-source.js';
import type { AppshellSelf } from '../versions.js';
import { dataFormatOf, mergeDataFile } from './merge-data.js';
import { hasConflictMarkers, mergeText } from './merge-text.js';

/**
 * What the upgrade does to one file. base = what appshell last wrote, ours = the team's file, theirs = the new render.
 * - unchanged: ours is theirs already · update: the team never changed it · keep: only the team changed it
 * - merge: both changed it, merged cleanly · conflict: both changed the same lines, written with markers
 * - create: new in this version · remove: no longer shipped and never changed · orphan: no longer shipped but changed
 *   by the team, so kept (and no longer appshell's) · deleted: the team deleted it, so it stays deleted
 */
export type UpgradeAction = 'unchanged' | 'update' | 'keep' | 'merge' | 'conflict' | 'create' | 'remove' | 'orphan' | 'deleted';

export interface UpgradeEntry {
  path: string;
  action: UpgradeAction;
  reason?: string;
}

export interface UpgradePlan {
  from: string;
  to: string;
  /** The manifest's format was older and is migrated by this plan (appshell.json is rewritten in the new form). */
  manifestMigratedFrom?: number;
  entries: UpgradeEntry[];
  /** What apply writes and removes, base copies and the state file included: the same plan `--dry-run` prints. */
  files: PlannedFile[];
  conflicts: string[];
  manifest: ProjectManifest;
}

export type UpgradePlanResult = { ok: true; plan: UpgradePlan } | { ok: false; message: string; suggestion?: string };

/** Files written once and then the team's (a route's handler and test): an upgrade never touches them. */
function scaffoldedOnce(manifest: ProjectManifest, source: TemplateSource): Set<string> {
  const paths = new Set<string>();
  if (manifest.workers.includes('api'))
    for (const route of manifest.routes) for (const file of renderRouteFiles(route, source)) paths.add(file.path);
  if (manifest.workers.includes('receiver'))
    for (const action of manifest.actions) for (const file of renderActionFiles(action, source)) paths.add(file.path);
  return paths;
}

/** Decides one file from its three versions (ours undefined: absent; base undefined: appshell never wrote it). */
function decide(
  path: string,
  base: string | undefined,
  ours: string | undefined,
  theirs: string,
  labels: { from: string; to: string },
): { entry: UpgradeEntry; content?: string } {
  if (ours === undefined) {
    return base === undefined
      ? { entry: { path, action: 'create' }, content: theirs }
      : { entry: { path, action: 'deleted', reason: 'you deleted it; it stays deleted' } };
  }
  if (ours === theirs) return { entry: { path, action: 'unchanged' } };
  if (base === ours) return { entry: { path, action: 'update' }, content: theirs };
  if (base === theirs) return { entry: { path, action: 'keep', reason: 'your changes; the new version changes nothing here' } };
  if (base === undefined) {
    // Nothing to merge against (a file appshell did not write, or one from before base copies): both sides, marked.
    const marked = mergeText(
      { base: '', ours, theirs },
      { ours: 'yours', base: 'no record of what appshell wrote', theirs: `appshell ${labels.to}` },
    );
    return { entry: { path, action: 'conflict', reason: 'no record of what appshell wrote: compare by hand' }, content: marked.content };
  }
  const format = dataFormatOf(path);
  if (format) {
    const merged = mergeDataFile({ base, ours, theirs }, format);
    if (merged.ok) return { entry: { path, action: 'merge', reason: 'merged as data with your changes' }, content: merged.content };
  }
  const merged = mergeText({ base, ours, theirs }, { ours: 'yours', base: `appshell ${labels.from}`, theirs: `appshell ${labels.to}` });
  if (merged.conflicts === 0) return { entry: { path, action: 'merge', reason: 'merged with your changes' }, content: merged.content };
  return {
    entry: {
      path,
      action: 'conflict',
      reason: `${merged.conflicts} conflicting change${merged.conflicts === 1 ? '' : 's'}, marked in the file`,
    },
    content: merged.content,
  };
}

function planned(path: string, content: string, tree: ProjectTree, internal = false): PlannedFile {
  const existing = tree.read(path);
  return { path, content, internal, action: existing === undefined ? 'create' : existing === content ? 'unchanged' : 'update' };
}

/**
 * `appshell upgrade`: the project rendered from its appshell.json with this appshell's templates, merged file by file
 * into what the team has (see `UpgradeAction`). Pure: the caller gives the tree and the templates. appshell.json keeps
 * the old templateVersion while a conflict remains (`appshell upgrade --continue` moves it once the markers are gone).
 */
export function planUpgrade(input: {
  root: string;
  tree: ProjectTree;
  source: TemplateSource;
  self?: AppshellSelf;
  to?: string;
}): UpgradePlanResult {
  const { tree, source } = input;
  const to = input.to ?? cliTemplateVersion;
  const manifestText = tree.read(manifestFileName);
  if (manifestText === undefined) return { ok: false, message: `no ${manifestFileName} in ${input.root}` };
  const parsed = parseManifest(manifestText);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const from = parsed.manifest.templateVersion;
  if (compareVersions(from, to) > 0) {
    return {
      ok: false,
      message: `${manifestFileName}: templateVersion ${from} is newer than this appshell's templates (${to})`,
      suggestion: 'Run the appshell the project depends on (npx appshell, from its devDependencies), or install a newer one.',
    };
  }
  const state = readState(tree);
  const target: ProjectManifest = { ...parsed.manifest, templateVersion: to };
  const rendered = renderProject(target, source, { self: input.self });
  const byPath = new Map(rendered.map((file) => [file.path, file]));
  const once = scaffoldedOnce(target, source);

  const entries: UpgradeEntry[] = [];
  const writes: { path: string; content: string }[] = [];
  const records: Record<string, string> = { ...state?.files };
  const bases = new Map<string, string | undefined>();
  for (const file of rendered) {
    if (file.path === manifestFileName) continue;
    const ours = tree.read(file.path);
    if (once.has(file.path) && ours !== undefined) {
      // A route's handler or test (the example one included) is the team's once written: left as it is.
      entries.push(
        ours === file.content
          ? { path: file.path, action: 'unchanged' }
          : { path: file.path, action: 'keep', reason: "a route's handler or test: yours, never rewritten" },
      );
      continue;
    }
    const decision = decide(file.path, readBase(tree, file.path, state), tree.read(file.path), file.content, { from, to });
    entries.push(decision.entry);
    if (decision.content !== undefined) writes.push({ path: file.path, content: decision.content });
    // Every file this version ships now merges against this version's render next time.
    records[file.path] = hashContent(file.content);
    if (keepsBaseCopy(file)) bases.set(file.path, file.content);
  }
  const removals: string[] = [];
  for (const path of Object.keys(state?.files ?? {})) {
    if (byPath.has(path) || once.has(path) || path === statePath || path === manifestFileName) continue;
    const ours = tree.read(path);
    const base = readBase(tree, path, state);
    delete records[path];
    bases.set(path, undefined);
    if (ours === undefined) continue;
    if (ours === base) {
      entries.push({ path, action: 'remove', reason: `not part of appshell ${to}` });
      removals.push(path);
    } else {
      entries.push({ path, action: 'orphan', reason: `not part of appshell ${to}; kept because you changed it` });
    }
  }

  // A conflict of an earlier run that still holds its markers stays one (re-running is no way around resolving it).
  for (const entry of entries) {
    const text = tree.read(entry.path);
    if (entry.action !== 'conflict' && state?.upgrade?.conflicts.includes(entry.path) && text !== undefined && hasConflictMarkers(text)) {
      entry.action = 'conflict';
      entry.reason = 'still holds conflict markers from the last upgrade';
    }
  }
  const conflicts = entries.filter((entry) => entry.action === 'conflict').map((entry) => entry.path);
  // The manifest: the team's values, migrated to the current format, with the ledger extended; the version moves
  // only when every file merged.
  const manifest: ProjectManifest = conflicts.length === 0 ? target : { ...target, templateVersion: from };
  const manifestContent = renderManifest(manifest);
  const manifestAction: UpgradeAction = manifestText === manifestContent ? 'unchanged' : 'update';
  entries.unshift({
    path: manifestFileName,
    action: manifestAction,
    ...(manifestAction === 'update'
      ? { reason: parsed.migratedFrom ? `schemaVersion ${parsed.migratedFrom} -> 2, your values kept` : 'your values kept' }
      : {}),
  });
  records[manifestFileName] = hashContent(manifestContent);
  bases.set(manifestFileName, manifestContent);

  const files: PlannedFile[] = [planned(manifestFileName, manifestContent, tree)];
  for (const write of writes) files.push(planned(write.path, write.content, tree));
  for (const path of removals) files.push({ path, content: '', action: 'remove' });
  for (const [path, content] of bases) {
    if (content !== undefined) files.push(planned(basePath(path), content, tree, true));
    else if (tree.read(basePath(path)) !== undefined) files.push({ path: basePath(path), content: '', action: 'remove', internal: true });
  }
  const upgrade = conflicts.length > 0 ? { from, to, conflicts } : undefined;
  files.push(planned(statePath, renderState({ version: 1, files: records, upgrade }), tree));
  for (const file of files) if (file.action === 'unchanged') file.internal = true;

  return { ok: true, plan: { from, to, manifestMigratedFrom: parsed.migratedFrom, entries, files, conflicts, manifest } };
}

/** Whether the plan changes anything on disk. */
export function upgradeChangesSomething(plan: UpgradePlan): boolean {
  return plan.files.some((file) => file.action !== 'unchanged');
}
