import { planAddRoute } from '../generators/add-route.js';
import { splitList } from '../generators/answers.js';
import { countActions } from '../generators/plan.js';
import { loadCliTemplates } from './precompiled.js';
import { applyUnlessAlreadyThere, showAndApply } from './apply.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { print } from './output.js';
import { loadProject } from './project.js';
import { moveEditsOrForceSuggestion, type AddRouteFlags } from './add-command.js';

/** `appshell add-route <path>`: validate -> plan (handler, test, manifest, registry, OpenAPI) -> print -> apply. */
export async function runAddRoute(target: string | undefined, flags: AddRouteFlags): Promise<void> {
  if (flags.sync) {
    if (target !== undefined) throw usageError('--sync takes no <path>: it rewrites every registry from appshell.json');
    return runSync(flags);
  }
  if (target === undefined) throw usageError('<path> is required (or --sync)');
  const worker = flags.worker ?? 'api';
  if (worker === 'receiver') {
    const { runAddAction } = await import('./add-action.js');
    return runAddAction(target, flags);
  }
  if (worker !== 'api') throw usageError(`--worker: '${worker}' is not allowed; allowed: api, receiver`);
  if (flags.requiresUser) throw usageError('--requires-user: only for receiver actions (--worker receiver)');
  let rateLimit: number | undefined;
  if (flags.rateLimit !== undefined) {
    rateLimit = Number(flags.rateLimit);
    if (!/^\d+$/.test(flags.rateLimit)) throw usageError('--rate-limit: must be a whole number of requests per minute from 1 to 100000');
  }
  const { root, manifest } = await loadProject();
  const plan = planAddRoute({
    request: {
      path: target,
      methods: flags.methods === undefined ? ['GET'] : splitList(flags.methods),
      public: Boolean(flags.public),
      roles: splitList(flags.roles ?? ''),
      ...(rateLimit !== undefined ? { rateLimit } : {}),
      ...(flags.description !== undefined ? { description: flags.description } : {}),
    },
    manifest,
    tree: diskTree(root),
    source: await loadCliTemplates(),
    force: Boolean(flags.force),
  });
  if (!plan.ok) throw usageError(plan.message);
  const { route } = plan;
  await applyUnlessAlreadyThere(
    { root, newProject: false, files: plan.files },
    {
      alreadyThere: plan.alreadyThere,
      nothingToChange: `${route.methods.join(',')} ${route.path} is already a route: nothing to change.`,
      heading: `${flags.dryRun ? 'Plan for' : 'Adding'} ${route.methods.join(',')} ${route.path} (handler src/extensions/${route.handler}.ts)`,
      done: `Done. Edit workers/api/src/extensions/${route.handler}.ts; its test is workers/api/test/extensions/${route.handler}.test.ts.`,
      dryRun: flags.dryRun,
      conflictSuggestion: moveEditsOrForceSuggestion,
    },
  );
}

/** `appshell add-route --sync`: registries, OpenAPI and missing handlers from appshell.json as it is now. */
async function runSync(flags: AddRouteFlags): Promise<void> {
  const { planSyncRoutes } = await import('../generators/sync-routes.js');
  const { root, manifest } = await loadProject();
  const files = planSyncRoutes({ manifest, tree: diskTree(root), source: await loadCliTemplates(), force: Boolean(flags.force) });
  const counts = countActions(files);
  if (counts.create + counts.update + counts.conflict === 0) {
    print('Registries and openapi.json already match appshell.json: nothing to change.');
    return;
  }
  const written = await showAndApply(
    { root, newProject: false, files },
    { dryRun: flags.dryRun, conflictSuggestion: 'Re-run with --force to overwrite them (your handlers are never overwritten).' },
  );
  if (written) print('Done.');
}
