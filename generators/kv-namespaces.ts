import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import type { WranglerConfig } from './wrangler-config.js';
import { workerDescriptors } from './workers/index.js';

/**
 * A KV namespace that several Workers bind under one name (the receiver writes API key hashes into `API_KEYS`,
 * the api reads them). Left without an id, `wrangler deploy` would provision a separate namespace for each
 * Worker, and keys provisioned through the receiver would never be found by the api. So `appshell deploy`
 * creates (or finds) one namespace per environment, records its id in `appshell.json` `kvNamespaces` and writes
 * it into every holder's wrangler config.
 */
export interface SharedKvNamespace {
  binding: string;
  /** The Workers of the project that bind it, in the manifest's order. */
  workers: WorkerName[];
}

/** KV bindings that two or more Workers of the project hold. */
export function sharedKvNamespaces(manifest: ProjectManifest): SharedKvNamespace[] {
  const holders = new Map<string, WorkerName[]>();
  for (const worker of manifest.workers) {
    for (const { binding } of workerDescriptors[worker].bindings(manifest).kvNamespaces) {
      holders.set(binding, [...(holders.get(binding) ?? []), worker]);
    }
  }
  return [...holders].filter(([, workers]) => workers.length > 1).map(([binding, workers]) => ({ binding, workers }));
}

/** The namespace's title on Cloudflare: `<project>-<binding in kebab case>-<env>`, e.g. `shop-api-keys-production`. */
export function kvNamespaceTitle(project: string, binding: string, env: string): string {
  return `${project}-${binding.toLowerCase().replaceAll('_', '-')}-${env}`;
}

export interface KvNamespaceEntry {
  id: string;
  title: string;
}

/** `wrangler kv namespace list` prints a JSON array of `{ id, title, ... }`; null when it printed anything else. */
export function readKvNamespaceList(stdout: string): KvNamespaceEntry[] | null {
  const start = stdout.indexOf('[');
  if (start < 0) return null;
  try {
    const value = JSON.parse(stdout.slice(start)) as unknown;
    if (!Array.isArray(value)) return null;
    return value.filter(
      (entry): entry is KvNamespaceEntry =>
        typeof entry === 'object' && entry !== null && typeof entry.id === 'string' && typeof entry.title === 'string',
    );
  } catch {
    return null;
  }
}

/** The id a wrangler config binds `binding` to in environment `env`, if any. */
export function boundKvNamespaceId(config: WranglerConfig, env: string, binding: string): string | undefined {
  return config.env?.[env]?.kv_namespaces?.find((entry) => entry.binding === binding)?.id;
}

/** The manifest with these ids recorded for `env` (other environments and bindings untouched). */
export function withKvNamespaceIds(manifest: ProjectManifest, env: string, ids: Record<string, string>): ProjectManifest {
  if (Object.keys(ids).length === 0) return manifest;
  return { ...manifest, kvNamespaces: { ...manifest.kvNamespaces, [env]: { ...manifest.kvNamespaces[env], ...ids } } };
}
