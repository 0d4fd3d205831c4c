import { createHash } from 'node:crypto';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'conflict';

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
  merged?: boolean;
}

/** One entry of a plan: the same object is printed by `--dry-run` and written by apply. */
export interface PlannedFile extends DesiredFile {
  action: PlanAction;
  /** Why an update or conflict happens, for the printed plan. */
  reason?: string;
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
    if (file.merged) return { ...file, action: 'update', reason: 'merged with your changes' };
    const recorded = state?.files[file.path];
    if (recorded !== undefined && recorded === hashContent(existing)) {
      return { ...file, action: 'update', reason: 'appshell output changed' };
    }
    if (options.force) return { ...file, action: 'update', reason: 'overwrites local changes (--force)' };
    return {
      ...file,
      action: 'conflict',
      reason: recorded === undefined ? 'exists and was not written by appshell' : 'changed since appshell wrote it',
    };
  });
  // Records of files outside this plan are kept (a command may plan only some files); a conflict keeps its
  // old record, so the file stays a conflict until the team resolves it.
  const records: Record<string, string> = { ...state?.files };
  for (const file of planned) if (file.action !== 'conflict') records[file.path] = hashContent(file.content);
  const nextState: GeneratedState = {
    version: 1,
    files: Object.fromEntries(Object.entries(records).sort(([a], [b]) => a.localeCompare(b))),
  };
  const stateContent = `${JSON.stringify(nextState, null, 2)}\n`;
  const existingState = tree.read(statePath);
  planned.push({
    path: statePath,
    content: stateContent,
    action: existingState === undefined ? 'create' : existingState === stateContent ? 'unchanged' : 'update',
  });
  return planned;
}

export function countActions(files: PlannedFile[]): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, conflict: 0 };
  for (const file of files) counts[file.action] += 1;
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
  for (const file of files) groups.set(planGroup(file.path), [...(groups.get(planGroup(file.path)) ?? []), file]);
  return [...groups].map(([group, members]) => ({ group, ...countActions(members) }));
}

/** An in-memory tree, for planners' tests and for previews. */
export function memoryTree(files: Record<string, string> = {}): ProjectTree & { files: Record<string, string> } {
  return { files, read: (path) => files[path] };
}
