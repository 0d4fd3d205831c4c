import { planConfigSet, settableFields } from '../generators/config-set.js';
import { applyUnlessAlreadyThere } from './apply.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { loadProject } from './project.js';

export interface ConfigSetFlags {
  dryRun?: boolean;
  force?: boolean;
}

/**
 * `appshell config set <field> <value>`: one value of appshell.json (those a deploy needs and only the team knows),
 * written there and into every wrangler config that carries it, through the same plan as every other command.
 */
export async function runConfigSet(field: string, value: string, flags: ConfigSetFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const plan = planConfigSet({ manifest, field, value, tree: diskTree(root), force: Boolean(flags.force) });
  if (!plan.ok) throw usageError(plan.message, `Settable: ${settableFields.join(', ')}.`);
  await applyUnlessAlreadyThere(
    { root, newProject: false, files: plan.files },
    {
      alreadyThere: plan.unchanged,
      nothingToChange: `${field} is already ${JSON.stringify(value)}: nothing to change.`,
      heading: `${flags.dryRun ? 'Plan for' : 'Setting'} ${field}`,
      done: 'Done. Deploy it with `npx appshell deploy --env <env>`.',
      dryRun: flags.dryRun,
      conflictSuggestion: 'Move your changes into appshell.json, or re-run with --force to overwrite the edited configs.',
    },
  );
}
