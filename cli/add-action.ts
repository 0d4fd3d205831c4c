import { planAddAction } from '../generators/add-action.js';
import { countActions } from '../generators/plan.js';
import { loadCliTemplates } from './precompiled.js';
import { movedSuggestion, type AddRouteFlags } from './add-route.js';
import { showAndApply } from './apply.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { print } from './output.js';
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
  const counts = countActions(plan.files);
  if (plan.alreadyThere && counts.create + counts.update + counts.conflict === 0) {
    print(`${plan.action.name} is already an action of the receiver: nothing to change.`);
    return;
  }
  print(`${flags.dryRun ? 'Plan for' : 'Adding'} receiver action ${plan.action.name}${plan.action.requiresUser ? ' (requires a user)' : ''}`);
  const written = await showAndApply({ root, newProject: false, files: plan.files }, { dryRun: flags.dryRun, conflictSuggestion: movedSuggestion });
  if (written) print(`Done. Edit workers/receiver/src/actions/${plan.action.handler}.ts; apps call it through the sender's POST /send.`);
}
