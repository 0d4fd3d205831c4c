import type { InitAnswers } from './answers.js';
import { answersFromManifest, manifestFileName, type ProjectManifest } from './manifest.js';
import { manifestFromAnswers } from './manifest-defaults.js';
import { parseManifest } from './manifest-read.js';
import { withMigrationLedgers } from './migrations.js';
import { planFiles, type Plan, type ProjectTree } from './plan.js';
import { renderProject } from './project-files.js';
import type { AppshellSelf } from './versions.js';
import type { TemplateSource } from './template-source.js';

export interface InitWorkerPlan extends Plan {
  manifest: ProjectManifest;
}

/**
 * answers -> manifest -> every file -> what changes on disk. Pure: the caller gives the templates and a
 * view of the target directory (empty for a new project).
 */
export function planInitWorker(input: {
  answers: InitAnswers;
  root: string;
  tree: ProjectTree;
  newProject: boolean;
  source: TemplateSource;
  force: boolean;
  /** The appshell writing the project, which its package.json depends on (default: the published templateVersion). */
  self?: AppshellSelf;
}): InitWorkerPlan {
  let manifest = manifestFromAnswers(input.answers);
  // Re-running init keeps what later commands added to the manifest (routes, actions, rotations, KV ids).
  const existingText = input.tree.read(manifestFileName);
  const existing = existingText === undefined ? undefined : parseManifest(existingText);
  if (existing?.ok) {
    manifest.routes = existing.manifest.routes;
    manifest.actions = existing.manifest.actions;
    manifest.rotations = existing.manifest.rotations;
    manifest.kvNamespaces = existing.manifest.kvNamespaces;
    manifest.apiKeys = existing.manifest.apiKeys;
    // Applied migrations are facts about deployed environments; the toolchain moves only with `appshell upgrade`.
    manifest.migrations = existing.manifest.migrations;
    manifest.toolchain = existing.manifest.toolchain;
    // Origins set per environment (`appshell config set origins.<env>`) stay unless the origins answer changed.
    const previousOrigins = answersFromManifest(existing.manifest).origins ?? [];
    if (previousOrigins.join(',') === input.answers.origins.join(',')) {
      for (const env of manifest.environments) {
        const kept = existing.manifest.origins[env];
        if (kept) manifest.origins[env] = kept;
      }
    }
    manifest = withMigrationLedgers(manifest);
  }
  const desired = renderProject(manifest, input.source, { self: input.self });
  return {
    root: input.root,
    newProject: input.newProject,
    manifest,
    files: planFiles(desired, input.tree, { force: input.force }),
  };
}
