import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { countActions, type Plan, type PlannedFile } from '../generators/plan.js';
import { CliError } from './errors.js';
import { formatPlan, print } from './output.js';

export interface ApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Holds SIGINT and SIGTERM while a plan is being written. Exiting inside the signal handler is not safe: writes
 * already handed to libuv's thread pool would still land after a synchronous cleanup and recreate what it removed.
 * Instead the signal is recorded, `check()` throws at the next step so nothing new starts, and `finish()` exits
 * (130 or 143) once every write has settled and the caller has cleaned up.
 */
class SignalGuard {
  private signal: NodeJS.Signals | undefined;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal ??= signal;
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get interrupted(): boolean {
    return this.signal !== undefined;
  }

  check(): void {
    if (this.signal) throw new Error(`interrupted by ${this.signal}`);
  }

  finish(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
    if (this.signal) process.exit(this.signal === 'SIGINT' ? 130 : 143);
  }
}

async function writeEntry(root: string, file: PlannedFile): Promise<void> {
  const target = join(root, file.path);
  await writeFile(target, file.content, { mode: file.mode ?? 0o644 });
  if (file.mode !== undefined) await chmod(target, file.mode);
}

/** Waits for every promise, then throws the first failure: nothing is still writing when this returns. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Writes files in parallel after creating their folders (each folder once). */
async function writeEntries(root: string, files: PlannedFile[], guard: SignalGuard): Promise<void> {
  const folders = [...new Set(files.map((file) => dirname(join(root, file.path))))];
  await settleAll(folders.map((folder) => mkdir(folder, { recursive: true })));
  guard.check();
  await settleAll(files.map((file) => writeEntry(root, file)));
  guard.check();
}

/**
 * Writes a plan so that a failure or an interrupt leaves the whole result or nothing:
 * a new project is built in a temporary directory beside the target and renamed into place;
 * changes to an existing project are staged as temporary files beside their targets, then renamed.
 * Conflicts must have been resolved by the caller; unchanged files are not touched.
 */
export async function applyPlan(plan: Plan): Promise<ApplyResult> {
  const result: ApplyResult = { created: [], updated: [], unchanged: [], removed: [] };
  const toWrite = plan.files.filter((file) => file.action === 'create' || file.action === 'update');
  const toRemove = plan.files.filter((file) => file.action === 'remove');
  for (const file of plan.files) {
    if (file.action === 'create') result.created.push(file.path);
    else if (file.action === 'update') result.updated.push(file.path);
    else if (file.action === 'unchanged') result.unchanged.push(file.path);
    else if (file.action === 'remove') result.removed.push(file.path);
    else throw new Error(`refusing to apply a plan with a conflict: ${file.path}`);
  }
  if (toWrite.length === 0 && toRemove.length === 0) return result;

  if (plan.newProject) {
    const staging = join(dirname(plan.root), `.${basename(plan.root)}.appshell-${randomBytes(4).toString('hex')}`);
    const guard = new SignalGuard();
    try {
      await mkdir(staging, { recursive: true });
      await writeEntries(staging, toWrite, guard);
      // An empty target directory may exist (created by the user); rename(2) cannot replace it portably.
      await rmdir(plan.root).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      guard.check();
      await rename(staging, plan.root);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!guard.interrupted) throw error;
    } finally {
      guard.finish();
    }
    return result;
  }

  const suffix = `.appshell-${randomBytes(4).toString('hex')}`;
  const staged = toWrite.map((file) => {
    const target = join(plan.root, file.path);
    return { temp: `${target}${suffix}`, target };
  });
  const guard = new SignalGuard();
  try {
    await writeEntries(
      plan.root,
      toWrite.map((file) => ({ ...file, path: `${file.path}${suffix}` })),
      guard,
    );
    commitStaged(
      staged,
      toRemove.map((file) => join(plan.root, file.path)),
      suffix,
    );
  } catch (error) {
    // Every write has settled (or was never started): removing the staged files leaves none behind.
    await Promise.allSettled(staged.map(({ temp }) => rm(temp, { force: true })));
    if (!guard.interrupted) throw error;
  } finally {
    guard.finish();
  }
  return result;
}

/**
 * Puts staged files in place and removes files, all or nothing: each replaced or removed file is first kept as a
 * hard link beside it, and a failure part-way puts every one back. Synchronous on purpose: a SIGINT or SIGTERM that
 * arrives meanwhile is handled only after the last rename (the project is then complete), never between two. (SIGKILL
 * cannot be held: killed in the middle of the renames, a project keeps the `.orig` links to put back by hand.)
 */
function commitStaged(staged: { temp: string; target: string }[], removals: string[], suffix: string): void {
  const done: { target: string; backup?: string }[] = [];
  try {
    for (const { temp, target } of staged) {
      const backup = `${target}${suffix}.orig`;
      const existed = existsSync(target);
      if (existed) linkSync(target, backup);
      done.push({ target, backup: existed ? backup : undefined });
      renameSync(temp, target);
    }
    for (const target of removals) {
      if (!existsSync(target)) continue;
      const backup = `${target}${suffix}.orig`;
      renameSync(target, backup);
      done.push({ target, backup });
    }
  } catch (error) {
    for (const { target, backup } of done.reverse()) {
      if (backup) renameSync(backup, target);
      else rmSync(target, { force: true });
    }
    throw error;
  }
  for (const { backup } of done) if (backup) unlinkSync(backup);
}

/**
 * The tail of `add-route`, its receiver form and `config set`: an entry that is already there with nothing to write says so;
 * otherwise the heading, the plan and the apply, then `done` once something was written.
 */
export async function applyUnlessAlreadyThere(
  plan: Plan,
  options: { alreadyThere: boolean; nothingToChange: string; heading: string; done: string; dryRun?: boolean; conflictSuggestion: string },
): Promise<void> {
  const counts = countActions(plan.files);
  if (options.alreadyThere && counts.create + counts.update + counts.conflict === 0) {
    print(options.nothingToChange);
    return;
  }
  print(options.heading);
  if (await showAndApply(plan, { dryRun: options.dryRun, conflictSuggestion: options.conflictSuggestion })) print(options.done);
}

/**
 * The tail every writing command shares: print the plan, stop for `--dry-run`, refuse conflicts (exit 1,
 * nothing written), then apply. Returns whether anything was written.
 */
export async function showAndApply(
  plan: Plan,
  options: { dryRun?: boolean; conflictSuggestion: string; nothingToDo?: string; summary?: boolean },
): Promise<boolean> {
  for (const line of formatPlan(plan.files, { summary: Boolean(options.summary) })) print(line);
  const counts = countActions(plan.files);
  if (options.dryRun) {
    print('Dry run: nothing was written.');
    return false;
  }
  if (counts.conflict > 0) {
    throw new CliError(`${counts.conflict} file(s) changed since appshell wrote them; nothing was written`, {
      suggestion: options.conflictSuggestion,
    });
  }
  if (counts.create + counts.update + counts.remove === 0) {
    if (options.nothingToDo) print(options.nothingToDo);
    return false;
  }
  await applyPlan(plan);
  return true;
}
