import { createHash } from 'node:crypto';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'remove';

/** A file appshell wants the project to hold, before comparing with what is there. */
export interface DesiredFile {
  path: string;
  content: string;
  /** Octal file mode, for files that must not be world-readable. */
  mode?: number;
  /**
   * The content already merges the team's edits (the manifest, rewritten from what is on disk): a difference
   * is an update, never a conflict.
   */
  neverConflicts?: boolean;
}

/** One entry of a plan: the same object is printed by `--dry-run` and written by apply. */
export interface PlannedFile extends DesiredFile {
  action: PlanAction;
  /** Why an update or conflict happens, for the printed plan. */
  reason?: string;
  /** Bookkeeping (a base copy under `.appshell/base/`): written with the plan, left out of what it prints and counts. */
  internal?: boolean;
}

/** What apply needs: the target, whether it is a new directory, and the file operations. */
export interface Plan {
  root: string;
  newProject: boolean;
  files: PlannedFile[];
}

/** A read-only view of a project on disk or in memory; paths are relative and use `/`. */
export interface ProjectTree {
  read(path: string): string | undefined;
}

/** Where appshell records what it wrote, to tell its own output from the team's edits. */
export const statePath = '.appshell/state.json';

export interface GeneratedState {
  version: 1;
  /** sha256 of each file as appshell last wrote it. */
  files: Record<string, string>;
  /** An `appshell upgrade` that left conflicts: the version it brings, until `--continue` finds no markers. */
  upgrade?: { from: string; to: string; conflicts: string[] };
}

/**
 * What appshell last wrote for each file it owns, as content: `.appshell/base/<path>`, committed with the project, so
 * `appshell upgrade` can merge three ways and `appshell diff` can show drift, with or without git and after a clone.
 */
export const baseDir = '.appshell/base';

export function basePath(path: string): string {
  return `${baseDir}/${path}`;
}

/** Files whose content is never copied: secret values live only in `.dev.vars` (mode 0600, git-ignored). */
export function keepsBaseCopy(file: { path: string; mode?: number }): boolean {
  return file.mode === undefined && !/(^|\/)\.dev\.vars$/.test(file.path) && !file.path.startsWith('.appshell/');
}

/**
 * What appshell last wrote at `path`: its base copy, or, in a project written before base copies existed, the file
 * itself while its hash in state.json says it is still appshell's output. Undefined when nobody can tell.
 */
export function readBase(tree: ProjectTree, path: string, state: GeneratedState | undefined = readState(tree)): string | undefined {
  const copy = tree.read(basePath(path));
  if (copy !== undefined) return copy;
  const current = tree.read(path);
  const recorded = state?.files[path];
  return current !== undefined && recorded !== undefined && recorded === hashContent(current) ? current : undefined;
}

/** The plan entry that records `content` as the base copy of `path` (nothing when it is already recorded). */
export function planBaseCopy(path: string, content: string, tree: ProjectTree): PlannedFile {
  const existing = tree.read(basePath(path));
  const action: PlanAction = existing === undefined ? 'create' : existing === content ? 'unchanged' : 'update';
  return { path: basePath(path), content, action, internal: true };
}

/** The state file as text (records sorted, so that equal states are equal text). */
export function renderState(state: GeneratedState): string {
  const files = Object.fromEntries(Object.entries(state.files).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: 1, files, ...(state.upgrade ? { upgrade: state.upgrade } : {}) }, null, 2)}\n`;
}

export function hashContent(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function readState(tree: ProjectTree): GeneratedState | undefined {
  const text = tree.read(statePath);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as GeneratedState;
    return value && value.version === 1 && typeof value.files === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who holds a file as it is now: nobody (absent), appshell (exactly what it last wrote), the team (`edited`: it
 * changed since appshell wrote it) or something else (`foreign`: appshell never wrote it). Rewriting a file is safe
 * only in the first two cases; the one rule `planFiles` and every planner that rewrites a generated file follow.
 */
export function fileOrigin(
  tree: ProjectTree,
  path: string,
  state: GeneratedState | undefined = readState(tree),
): 'absent' | 'appshell' | 'edited' | 'foreign' {
  const existing = tree.read(path);
  if (existing === undefined) return 'absent';
  const recorded = state?.files[path];
  if (recorded === undefined) return 'foreign';
  return recorded === hashContent(existing) ? 'appshell' : 'edited';
}

const conflictReason = { edited: 'changed since appshell wrote it', foreign: 'exists and was not written by appshell' } as const;

/**
 * Compares desired files with the tree. A file that differs is updated only when it is still exactly
 * what appshell last wrote; a file the team changed (or that appshell never wrote) is a conflict,
 * unless `force`. The state file is planned last, recording what the project will hold.
 */
export function planFiles(desired: DesiredFile[], tree: ProjectTree, options: { force: boolean }): PlannedFile[] {
  const state = readState(tree);
  const planned: PlannedFile[] = desired.map((file) => {
    const existing = tree.read(file.path);
    if (existing === undefined) return { ...file, action: 'create' };
    if (existing === file.content) return { ...file, action: 'unchanged' };
    if (file.neverConflicts) return { ...file, action: 'update', reason: 'merged with your changes' };
    const origin = fileOrigin(tree, file.path, state);
    if (origin === 'appshell') return { ...file, action: 'update', reason: 'appshell output changed' };
    if (options.force) return { ...file, action: 'update', reason: 'overwrites local changes (--force)' };
    return { ...file, action: 'conflict', reason: conflictReason[origin as 'edited' | 'foreign'] };
  });
  // Records of files outside this plan are kept (a command may plan only some files); a conflict keeps its
  // old record, so the file stays a conflict until the team resolves it.
  const records: Record<string, string> = { ...state?.files };
  for (const file of planned) if (file.action !== 'conflict') records[file.path] = hashContent(file.content);
  // The content beside the hash, so a later version can merge against it (`appshell upgrade`).
  const copies = planned
    .filter((file) => file.action !== 'conflict' && keepsBaseCopy(file))
    .map((file) => planBaseCopy(file.path, file.content, tree));
  planned.push(...copies);
  const stateContent = renderState({ version: 1, files: records, upgrade: state?.upgrade });
  const existingState = tree.read(statePath);
  planned.push({
    path: statePath,
    content: stateContent,
    action: existingState === undefined ? 'create' : existingState === stateContent ? 'unchanged' : 'update',
  });
  return planned;
}

export function countActions(files: PlannedFile[]): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, conflict: 0, remove: 0 };
  for (const file of files) if (!file.internal) counts[file.action] += 1;
  return counts;
}

/** Where a file belongs in a summary: `workers/<worker>` for a Worker's files, else `project`. */
function planGroup(path: string): string {
  const match = /^workers\/([^/]+)\//.exec(path);
  return match ? `workers/${match[1]}` : 'project';
}

/**
 * The plan counted per part of the project (the root files, then each Worker), for a summary a person can read
 * at a glance; each row also says how many files of each action it holds.
 *
 * @example
 * summarizePlan(plan.files); // [{ group: 'project', create: 9, ... }, { group: 'workers/api', create: 61, ... }]
 */
export function summarizePlan(files: PlannedFile[]): ({ group: string } & Record<PlanAction, number>)[] {
  const groups = new Map<string, PlannedFile[]>();
  for (const file of files) {
    if (!file.internal) groups.set(planGroup(file.path), [...(groups.get(planGroup(file.path)) ?? []), file]);
  }
  return [...groups].map(([group, members]) => ({ group, ...countActions(members) }));
}

/** An in-memory tree, for planners' tests and for previews. */
export function memoryTree(files: Record<string, string> = {}): ProjectTree & { files: Record<string, string> } {
  return { files, read: (path) => files[path] };
}
