import { planAddAction } from '../generators/add-action.js';
import { loadCliTemplates } from './precompiled.js';
import { moveEditsOrForceSuggestion, type AddRouteFlags } from './add-command.js';
import { applyUnlessAlreadyThere } from './apply.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { loadProject } from './project.js';

/**
 * `appshell add-route <name> --worker receiver [--public]`: an action of the receiver. It requires a signed-in user
 * unless `--public`: the signature only proves that the request came through the sender, which signs for anyone.
 */
export async function runAddAction(name: string, flags: AddRouteFlags): Promise<void> {
  for (const [flag, given] of [
    ['--methods', flags.methods],
    ['--roles', flags.roles],
    ['--rate-limit', flags.rateLimit],
  ] as const) {
    if (given !== undefined) throw usageError(`${flag}: only for api routes, not for receiver actions`);
  }
  if (flags.public && flags.requiresUser)
    throw usageError('--public: an action either requires a user (the default) or is public, not both');
  const { root, manifest } = await loadProject();
  const plan = planAddAction({
    name,
    requiresUser: !flags.public,
    manifest,
    tree: diskTree(root),
    source: await loadCliTemplates(),
    force: Boolean(flags.force),
  });
  if (!plan.ok) throw usageError(plan.message);
  await applyUnlessAlreadyThere(
    { root, newProject: false, files: plan.files },
    {
      alreadyThere: plan.alreadyThere,
      nothingToChange: `${plan.action.name} is already an action of the receiver: nothing to change.`,
      heading: `${flags.dryRun ? 'Plan for' : 'Adding'} receiver action ${plan.action.name}${plan.action.requiresUser ? ' (requires a user)' : ' (public: anyone who can reach the sender can call it)'}`,
      done: `Done. Edit workers/receiver/src/actions/${plan.action.handler}.ts; apps call it through the sender's POST /send.`,
      dryRun: flags.dryRun,
      conflictSuggestion: moveEditsOrForceSuggestion,
    },
  );
}
