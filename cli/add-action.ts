import { planAddAction } from '../generators/add-action.js';
import { loadCliTemplates } from './precompiled.js';
import { movedSuggestion, type AddRouteFlags } from './add-route.js';
import { applyAddition } from './apply.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { loadProject } from './project.js';

/** `appshell add-route <name> --worker receiver [--requires-user]`: an action of the receiver. */
export async function runAddAction(name: string, flags: AddRouteFlags): Promise<void> {
  for (const [flag, given] of [['--methods', flags.methods], ['--public', flags.public], ['--roles', flags.roles], ['--rate-limit', flags.rateLimit]] as const) {
    if (given !== undefined) throw usageError(`${flag}: only for api routes, not for receiver actions`);
  }
  const { root, manifest } = await loadProject();
  const plan = planAddAction({
    name,
    requiresUser: Boolean(flags.requiresUser),
    manifest,
    tree: diskTree(root),
    source: await loadCliTemplates(),
    force: Boolean(flags.force),
  });
  if (!plan.ok) throw usageError(plan.message);
  await applyAddition({ root, newProject: false, files: plan.files }, {
    alreadyThere: plan.alreadyThere,
    nothingToChange: `${plan.action.name} is already an action of the receiver: nothing to change.`,
    heading: `${flags.dryRun ? 'Plan for' : 'Adding'} receiver action ${plan.action.name}${plan.action.requiresUser ? ' (requires a user)' : ''}`,
    done: `Done. Edit workers/receiver/src/actions/${plan.action.handler}.ts; apps call it through the sender's POST /send.`,
    dryRun: flags.dryRun,
    conflictSuggestion: movedSuggestion,
  });
}
