import { planAddAction } from '../generators/add-action.js';
import { countActions } from '../generators/plan.js';
import { loadCliTemplates } from './precompiled.js';
import type { AddRouteFlags } from './add-route.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { CliError, usageError } from './errors.js';
import { formatPlan, print } from './output.js';
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
  for (const line of formatPlan(plan.files)) print(line);
  if (flags.dryRun) {
    print('Dry run: nothing was written.');
    return;
  }
  if (counts.conflict > 0) {
    throw new CliError(`${counts.conflict} file(s) changed since appshell wrote them; nothing was written`, {
      suggestion: 'Move your changes into appshell.json or the handler files, or re-run with --force to overwrite them.',
    });
  }
  await applyPlan({ root, newProject: false, files: plan.files });
  print(`Done. Edit workers/receiver/src/actions/${plan.action.handler}.ts; apps call it through the sender's POST /send.`);
}
