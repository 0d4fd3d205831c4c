import { renderActionFiles, renderActionIndexFiles } from './add-action.js';
import { renderRouteFiles, renderManifestAndDerivedFiles } from './add-route.js';
import type { ProjectManifest } from './manifest.js';
import { planFiles, type DesiredFile, type PlannedFile, type ProjectTree } from './plan.js';
import type { TemplateSource } from './template-source.js';

/** A handler and its test, for an entry whose handler does not exist yet (an existing one is never touched). */
function missingHandlerFiles(files: DesiredFile[], tree: ProjectTree): DesiredFile[] {
  const [handler, test] = files;
  if (!handler || tree.read(handler.path) !== undefined) return [];
  return [handler, ...(test && tree.read(test.path) === undefined ? [test] : [])];
}

/**
 * `appshell add-route --sync`: after the team edited `routes` or `actions` in appshell.json, rewrites the
 * registries and the OpenAPI document from it, and writes the handler (and test) of any entry that has none.
 */
export function planSyncRoutes(input: {
  manifest: ProjectManifest;
  tree: ProjectTree;
  source: TemplateSource;
  force: boolean;
}): PlannedFile[] {
  const { manifest, tree, source } = input;
  const desired: DesiredFile[] = [...renderManifestAndDerivedFiles(manifest)];
  if (manifest.workers.includes('api')) {
    for (const route of manifest.routes) desired.push(...missingHandlerFiles(renderRouteFiles(route, source), tree));
  }
  if (manifest.workers.includes('receiver')) {
    desired.push(...renderActionIndexFiles(manifest));
    for (const action of manifest.actions) desired.push(...missingHandlerFiles(renderActionFiles(action, source), tree));
  }
  return planFiles(desired, tree, { force: input.force });
}
