import { renderActionRegistry } from './action-registry.js';
import { renderManifestAndDerivedFiles } from './add-route.js';
import type { ProjectManifest, ReceiverAction } from './manifest.js';
import { planFiles, type DesiredFile, type PlannedFile, type ProjectTree } from './plan.js';
import { renderSnippet } from './render.js';
import { handlerExportName, isReservedModule } from './routes.js';
import type { TemplateSource } from './template-source.js';

export type AddActionPlan =
  | { ok: true; action: ReceiverAction; alreadyThere: boolean; manifest: ProjectManifest; files: PlannedFile[] }
  | { ok: false; field: string; message: string };

const actionName = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** The files of one action the team owns once written: its handler and its test. */
export function renderActionFiles(action: ReceiverAction, source: TemplateSource): DesiredFile[] {
  const context = { action, exportName: handlerExportName(action.handler) };
  return [
    { path: `workers/receiver/src/actions/${action.handler}.ts`, content: renderSnippet(source, 'action-handler.ts.hbs', context) },
    { path: `workers/receiver/test/actions/${action.handler}.test.ts`, content: renderSnippet(source, 'action-test.ts.hbs', context) },
  ];
}

export function renderActionIndexFiles(manifest: ProjectManifest): DesiredFile[] {
  return [{ path: 'workers/receiver/src/actions/index.ts', content: renderActionRegistry(manifest.actions) }];
}

/**
 * `appshell add-route <name> --worker receiver [--public]`: adds an action to the receiver's registry.
 * The same request twice changes nothing; the same name with another `requiresUser` is refused.
 */
export function planAddAction(input: {
  name: string;
  requiresUser: boolean;
  manifest: ProjectManifest;
  tree: ProjectTree;
  source: TemplateSource;
  force: boolean;
}): AddActionPlan {
  if (!input.manifest.workers.includes('receiver')) {
    return { ok: false, field: 'appshell.json', message: 'this project has no receiver Worker to add an action to' };
  }
  if (!actionName.test(input.name) || input.name.length > 64) {
    return {
      ok: false,
      field: '<name>',
      message: `<name>: '${input.name}' must be a lowercase kebab-case name of at most 64 characters, such as send-invite`,
    };
  }
  if (isReservedModule(input.name)) return { ok: false, field: '<name>', message: `<name>: '${input.name}' is reserved` };
  const action: ReceiverAction = { name: input.name, requiresUser: input.requiresUser, handler: input.name };
  const existing = input.manifest.actions.find((candidate) => candidate.name === action.name);
  if (existing && existing.requiresUser !== action.requiresUser) {
    return {
      ok: false,
      field: '<name>',
      message: `<name>: '${action.name}' is already an action ${existing.requiresUser ? 'that requires a user' : 'without a user'}; edit its entry in appshell.json and run appshell add-route --sync`,
    };
  }
  const manifest = existing ? input.manifest : { ...input.manifest, actions: [...input.manifest.actions, action] };
  const desired = [
    ...renderManifestAndDerivedFiles(manifest),
    ...renderActionIndexFiles(manifest),
    ...renderActionFiles(action, input.source).filter((file) => input.tree.read(file.path) === undefined),
  ];
  return { ok: true, action, alreadyThere: Boolean(existing), manifest, files: planFiles(desired, input.tree, { force: input.force }) };
}
