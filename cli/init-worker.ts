import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { planInitWorker, type InitWorkerPlan } from '../generators/init-worker.js';
import { answersFromManifest, manifestFileName } from '../generators/manifest.js';
import { parseManifest } from '../generators/manifest-read.js';
import { toolchainNotice } from '../generators/versions.js';
import { countActions } from '../generators/plan.js';
import { loadCliTemplates } from './precompiled.js';
import { gatherAnswers, promptForAnswers, type InitWorkerFlags } from './answers-input.js';
import { showAndApply } from './apply.js';
import { diskTree, inspectTarget } from './disk-tree.js';
import { usageError } from './errors.js';
import { print } from './output.js';
import { initGitRepository, installDependencies } from './post-init.js';
import { appshellSelf } from './self.js';

/**
 * `appshell init-worker [dir]`: answers -> validate -> plan -> print (`--dry-run` stops) -> apply -> install.
 */
export async function runInitWorker(dir: string | undefined, flags: InitWorkerFlags): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const answers = await gatherAnswers(dir, flags, {
    interactive,
    prompt: promptForAnswers,
    existing: await existingAnswers(dir ?? flags.name),
  });
  const root = resolve(dir ?? answers.name);

  const target = inspectTarget(root, manifestFileName);
  if (target === 'file') throw usageError(`[dir]: ${root} is a file; choose a directory path`);
  if (target === 'non-empty' && !flags.force) {
    throw usageError(
      `[dir]: ${root} is not empty and holds no ${manifestFileName}`,
      'Choose a new or empty directory, or pass --force to write into it (files there that appshell would write become conflicts).',
    );
  }

  const self = appshellSelf();
  const plan: InitWorkerPlan = planInitWorker({
    answers,
    root,
    tree: diskTree(root),
    newProject: target === 'missing' || target === 'empty',
    source: await loadCliTemplates(),
    force: Boolean(flags.force),
    self,
  });

  print(`${flags.dryRun ? 'Plan for' : 'Writing'} ${root} (${plan.manifest.workers.join(', ')})`);
  if (!self.installed) print(`Note: appshell runs from a source checkout, so the project's devDependency links to it (file:${self.root}).`);
  const notice = toolchainNotice(plan.manifest.toolchain, process.versions.node);
  if (notice) print(`Note: ${notice}`);
  const counts = countActions(plan.files);
  const written = await showAndApply(plan, {
    dryRun: flags.dryRun,
    conflictSuggestion: 'Keep your changes and merge by hand, or re-run with --force to overwrite them.',
    nothingToDo: 'Nothing to change: the project already matches these answers.',
    // A new project is about 170 files: counted per Worker unless --verbose (as create-cloudflare does).
    summary: !flags.verbose,
  });
  if (!written) return;
  print(`Done: ${counts.create} created, ${counts.update} updated.`);

  // Install first, so that the first commit holds the lock file and the Env types the install writes
  // (worker-configuration.d.ts); the repository is initialised even when the install fails.
  try {
    if (answers.install) await installDependencies(root);
  } finally {
    if (plan.newProject && answers.git) await initGitRepository(root);
  }
  print('');
  print('Next:');
  print(`  cd ${dir ?? answers.name}`);
  if (!answers.install) print("  npm install    # also writes each Worker's Env types (npm run types)");
  print('  npm test       # every Worker, inside workerd');
  print('  npm run dev    # every Worker locally: local secrets, an identity stand-in, a walkthrough (appshell dev)');
}

/** The answers of the project already at `dir` (a re-run), if its appshell.json reads. */
async function existingAnswers(dir: string | undefined) {
  if (dir === undefined) return undefined;
  const text = await readFile(join(resolve(dir), manifestFileName), 'utf8').catch(() => undefined);
  const parsed = text === undefined ? undefined : parseManifest(text);
  return parsed?.ok ? answersFromManifest(parsed.manifest) : undefined;
}
