import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { workerDescriptors } from './workers/index.js';

/** One Durable Object migration as wrangler takes it (`migrations` in the config); field names are wrangler's. */
export interface MigrationStep {
  tag: string;
  new_sqlite_classes?: string[];
  deleted_classes?: string[];
}

/**
 * A Worker's Durable Object migrations as an append-only ledger: the steps already in it stay exactly as they are
 * (an account that applied `v1` refuses a config whose `v1` says something else: codes 10074 and 10079), and the
 * classes the Worker has now that no step created get one new step after the last, as do classes it no longer has.
 * A fresh ledger is `v1` with every class, which is also what every project written before the ledger existed got.
 *
 * @example
 * extendLedger([{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }], ['RateLimiter', 'Jobs']);
 * // [{ tag: 'v1', new_sqlite_classes: ['RateLimiter'] }, { tag: 'v2', new_sqlite_classes: ['Jobs'] }]
 */
export function extendLedger(steps: readonly MigrationStep[], classes: readonly string[]): MigrationStep[] {
  const live = new Set<string>();
  for (const step of steps) {
    for (const name of step.new_sqlite_classes ?? []) live.add(name);
    for (const name of step.deleted_classes ?? []) live.delete(name);
  }
  const added = classes.filter((name) => !live.has(name));
  const removed = [...live].filter((name) => !classes.includes(name));
  if (added.length === 0 && removed.length === 0) return [...steps];
  return [
    ...steps,
    {
      tag: nextTag(steps),
      ...(added.length > 0 ? { new_sqlite_classes: added } : {}),
      ...(removed.length > 0 ? { deleted_classes: removed } : {}),
    },
  ];
}

/** `v<n+1>`, or the next free `v<k>` when the team named tags its own way. */
function nextTag(steps: readonly MigrationStep[]): string {
  const taken = new Set(steps.map((step) => step.tag));
  let number = steps.length + 1;
  while (taken.has(`v${number}`)) number += 1;
  return `v${number}`;
}

/**
 * Every Worker's ledger for a project: what `appshell.json` records, extended by the classes the Workers' templates
 * declare now. Workers without Durable Objects have none.
 */
export function migrationLedgers(
  workers: readonly WorkerName[],
  recorded: Readonly<Record<string, readonly MigrationStep[]>>,
  classesOf: (worker: WorkerName) => readonly string[],
): Record<string, MigrationStep[]> {
  const ledgers: Record<string, MigrationStep[]> = {};
  for (const worker of workers) {
    const steps = extendLedger(recorded[worker] ?? [], classesOf(worker));
    if (steps.length > 0) ledgers[worker] = steps;
  }
  return ledgers;
}

/** The Durable Object classes a Worker's descriptor declares for this manifest. */
export function durableObjectClasses(
  manifest: Parameters<(typeof workerDescriptors)[WorkerName]['bindings']>[0],
  worker: WorkerName,
): string[] {
  return workerDescriptors[worker].bindings(manifest).durableObjects.map((binding) => binding.className);
}

/**
 * The manifest with every Worker's migration ledger brought up to date with its templates (`extendLedger`): applied
 * steps kept, a new step for a new class. Every command reads the manifest through here, so whatever it writes back
 * to appshell.json records the ledger the wrangler configs carry.
 */
export function withMigrationLedgers(manifest: ProjectManifest): ProjectManifest {
  return {
    ...manifest,
    migrations: migrationLedgers(manifest.workers, manifest.migrations, (worker) => durableObjectClasses(manifest, worker)),
  };
}
