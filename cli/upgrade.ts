import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestFileName, renderManifest } from '../generators/manifest.js';
import { parseManifest } from '../generators/manifest-read.js';
import { hashContent, planBaseCopy, readState, renderState, statePath, type PlannedFile } from '../generators/plan.js';
import { releasesBetween, type ReleaseNotes } from '../generators/releases.js';
import { hasConflictMarkers } from '../generators/upgrade/merge-text.js';
import { planUpgrade, upgradeChangesSomething, type UpgradeEntry, type UpgradePlan } from '../generators/upgrade/plan-upgrade.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { CancelledError, CliError, usageError } from './errors.js';
import { print } from './output.js';
import { findProjectRoot } from './project.js';
import { loadCliTemplates } from './precompiled.js';
import { appshellSelf } from './self.js';

export interface UpgradeFlags {
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  continue?: boolean;
}

const symbols: Record<UpgradeEntry['action'], string> = {
  unchanged: '=',
  update: '~',
  keep: '.',
  merge: '*',
  conflict: '!',
  create: '+',
  remove: '-',
  orphan: '?',
  deleted: 'x',
};

function requireRoot(): string {
  const root = findProjectRoot(process.cwd());
  if (!root)
    throw usageError(`no ${manifestFileName} in ${process.cwd()} or above it`, 'Run this inside a project made by `appshell init-worker`.');
  return root;
}

/** The CHANGELOG entries of the versions this upgrade brings (the file ships with appshell). */
function releaseNotes(from: string, to: string): ReleaseNotes[] {
  const path = join(appshellSelf().root, 'CHANGELOG.md');
  return existsSync(path) ? releasesBetween(readFileSync(path, 'utf8'), from, to) : [];
}

function printPlan(plan: UpgradePlan, notes: ReleaseNotes[]): void {
  print(
    plan.from === plan.to ? `Templates of appshell ${plan.to} (the project's version)` : `Upgrade from appshell ${plan.from} to ${plan.to}`,
  );
  for (const release of notes) {
    print(`  ${release.version}:`);
    for (const line of release.lines) print(`    ${line}`);
  }
  const counts = new Map<string, number>();
  for (const entry of plan.entries) {
    counts.set(entry.action, (counts.get(entry.action) ?? 0) + 1);
    if (entry.action === 'unchanged') continue;
    print(`  ${symbols[entry.action]} ${entry.action.padEnd(9)} ${entry.path}${entry.reason ? `  (${entry.reason})` : ''}`);
  }
  print(`  ${[...counts].map(([action, count]) => `${count} ${action}`).join(', ')}`);
}

async function confirm(flags: UpgradeFlags, plan: UpgradePlan): Promise<void> {
  if (flags.yes) return;
  if (!(process.stdin.isTTY && process.stdout.isTTY)) {
    throw usageError(
      'upgrade needs a confirmation; nothing was written',
      'Pass --yes to apply the plan above (run with --dry-run to only see it).',
    );
  }
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message: `Apply the upgrade to ${plan.to}?`, initialValue: true });
  if (prompts.isCancel(answer) || !answer) throw new CancelledError();
}

/**
 * `appshell upgrade`: plan (pure) -> print (`--dry-run` stops) -> confirm -> apply (atomic). Conflicts are written with
 * markers and make the run exit 1; appshell.json keeps its templateVersion until `--continue` finds them resolved.
 */
export async function runUpgrade(flags: UpgradeFlags): Promise<void> {
  if (flags.continue) return runContinue(flags);
  const root = requireRoot();
  const result = planUpgrade({ root, tree: diskTree(root), source: await loadCliTemplates(), self: appshellSelf() });
  if (!result.ok) throw usageError(result.message, result.suggestion);
  const { plan } = result;
  const notes = releaseNotes(plan.from, plan.to);
  const changes = upgradeChangesSomething(plan);
  if (flags.json) {
    print(
      JSON.stringify({
        from: plan.from,
        to: plan.to,
        dryRun: Boolean(flags.dryRun),
        changes,
        releases: notes,
        files: plan.entries,
        conflicts: plan.conflicts,
      }),
    );
  } else printPlan(plan, notes);
  if (flags.dryRun) {
    if (!flags.json) print('Dry run: nothing was written.');
    return;
  }
  if (!changes) {
    if (!flags.json) print(`Nothing to change: the project already matches appshell ${plan.to}.`);
    return;
  }
  await confirm(flags, plan);
  await applyPlan({ root, newProject: false, files: plan.files });
  if (plan.conflicts.length > 0) {
    throw new CliError(`${plan.conflicts.length} file(s) have conflicts, marked <<<<<<< ... >>>>>>>: ${plan.conflicts.join(', ')}`, {
      suggestion: `Resolve the markers, then run appshell upgrade --continue (appshell.json stays at ${plan.from} until then).`,
    });
  }
  if (!flags.json) {
    print(`Done: the project is at appshell ${plan.to}.`);
    printNext(plan);
  }
}

/** What a team runs after an upgrade: packages may have moved, and wrangler configs changed mean new Env types. */
function printNext(plan: UpgradePlan): void {
  const touched = plan.entries.filter((entry) => ['update', 'merge', 'create', 'remove'].includes(entry.action)).map((entry) => entry.path);
  const steps: string[] = [];
  if (touched.some((path) => path.endsWith('package.json'))) steps.push('npm install       # the pinned versions changed');
  if (touched.some((path) => /wrangler\.(jsonc|toml)$/.test(path)))
    steps.push("npm run types     # a wrangler config changed: each Worker's Env types follow it");
  steps.push('npm test', 'npx appshell diff # your changes, now against this version');
  print('');
  print('Next:');
  for (const step of steps) print(`  ${step}`);
}

/** `appshell upgrade --continue`: once no file of the last upgrade's conflicts holds markers, move templateVersion. */
async function runContinue(flags: UpgradeFlags): Promise<void> {
  const root = requireRoot();
  const tree = diskTree(root);
  const state = readState(tree);
  const pending = state?.upgrade;
  if (!state || !pending) {
    print('No upgrade in progress: nothing to continue.');
    return;
  }
  const left = pending.conflicts.filter((path) => {
    const text = tree.read(path);
    return text !== undefined && hasConflictMarkers(text);
  });
  if (left.length > 0) {
    throw new CliError(`${left.length} file(s) still hold conflict markers: ${left.join(', ')}`, {
      suggestion: 'Resolve them (keep what you need from both sides, delete the marker lines), then run appshell upgrade --continue again.',
    });
  }
  const parsed = parseManifest(tree.read(manifestFileName) ?? '');
  if (!parsed.ok) throw usageError(parsed.message);
  const manifestContent = renderManifest({ ...parsed.manifest, templateVersion: pending.to });
  const records = { ...state.files, [manifestFileName]: hashContent(manifestContent) };
  const files: PlannedFile[] = [
    { path: manifestFileName, content: manifestContent, action: 'update' as const },
    planBaseCopy(manifestFileName, manifestContent, tree),
    { path: statePath, content: renderState({ version: 1, files: records }), action: 'update' as const },
  ].filter((file): file is PlannedFile => file.action !== 'unchanged');
  if (flags.dryRun) {
    print(`Would set templateVersion to ${pending.to}. Dry run: nothing was written.`);
    return;
  }
  await applyPlan({ root, newProject: false, files });
  print(`Done: the conflicts are resolved and the project is at appshell ${pending.to}.`);
}
