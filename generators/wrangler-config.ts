import { stringify as stringifyToml } from 'smol-toml';
import type { InitAnswers, WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { extendLedger, type MigrationStep } from './migrations.js';
import { toolchains } from './versions.js';
import { scriptName, workerDescriptors, type WorkerBindings } from './workers/index.js';

/** The part of wrangler's configuration appshell writes. Field names are wrangler's own. */
export interface WranglerBindingsBlock {
  vars?: Record<string, string>;
  kv_namespaces?: { binding: string; id?: string }[];
  r2_buckets?: { binding: string; bucket_name: string }[];
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  ratelimits?: { name: string; namespace_id: string; simple: { limit: number; period: 10 | 60 } }[];
  services?: { binding: string; service: string }[];
  ai?: { binding: string };
}

export interface WranglerConfig extends WranglerBindingsBlock {
  $schema?: string;
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags: string[];
  account_id?: string;
  observability: { enabled: boolean };
  upload_source_maps: boolean;
  migrations?: MigrationStep[];
  env?: Record<string, WranglerBindingsBlock>;
}

export type ConfigFormat = InitAnswers['configFormat'];

export function configFileName(format: ConfigFormat): string {
  return format === 'toml' ? 'wrangler.toml' : 'wrangler.jsonc';
}

/**
 * Builds the typed wrangler model of one Worker: the top level is local development (no remote-only
 * bindings, so `wrangler dev` starts offline), and one block per environment repeats every binding,
 * since wrangler does not let environments inherit them.
 */
export function buildWranglerConfig(manifest: ProjectManifest, worker: WorkerName): WranglerConfig {
  const descriptor = workerDescriptors[worker];
  const bindings = descriptor.bindings(manifest);
  const origins = (env: string): Record<string, string> =>
    descriptor.cors ? { ALLOWED_ORIGINS: (manifest.origins[env] ?? []).join(',') } : {};
  const config: WranglerConfig = {
    $schema: '../../node_modules/wrangler/config-schema.json',
    name: scriptName(manifest.name, worker),
    main: 'src/index.ts',
    compatibility_date: toolchains[manifest.toolchain].compatibilityDate,
    compatibility_flags: ['nodejs_compat'],
    ...(manifest.accountId ? { account_id: manifest.accountId } : {}),
    observability: { enabled: true },
    // Stack traces in Workers Logs then point at the TypeScript source, not the bundle.
    upload_source_maps: true,
    ...bindingsBlock(manifest.name, manifest.kvNamespaces, bindings, undefined, origins('dev')),
  };
  // The ledger of appshell.json (append-only: a class added later is a new tag after the applied ones).
  const migrations = extendLedger(
    manifest.migrations[worker] ?? [],
    bindings.durableObjects.map((d) => d.className),
  );
  if (migrations.length > 0) config.migrations = migrations;
  config.env = Object.fromEntries(
    manifest.environments.map((env) => [env, bindingsBlock(manifest.name, manifest.kvNamespaces, bindings, env, origins(env))]),
  );
  return config;
}

function bindingsBlock(
  project: string,
  kvIds: ProjectManifest['kvNamespaces'],
  bindings: WorkerBindings,
  env: string | undefined,
  extraVars: Record<string, string>,
): WranglerBindingsBlock {
  const block: WranglerBindingsBlock = {};
  const vars = { ...extraVars, ...bindings.vars, ...(env ? bindings.deployedVars : bindings.localVars) };
  if (Object.keys(vars).length > 0) block.vars = vars;
  if (bindings.kvNamespaces.length > 0) {
    // Locally wrangler keeps KV by binding name; deployed, an id from appshell.json names the one namespace that
    // every Worker binding it shares (without one, wrangler would provision a namespace per Worker).
    const ids = env ? (kvIds[env] ?? {}) : {};
    block.kv_namespaces = bindings.kvNamespaces.map(({ binding }) => ({ binding, ...(ids[binding] ? { id: ids[binding] } : {}) }));
  }
  if (bindings.r2Buckets.length > 0) {
    const bucketFor = (bucketName: string) => (env ? `${bucketName}-${env}` : bucketName);
    block.r2_buckets = bindings.r2Buckets.map(({ binding, bucketName }) => ({ binding, bucket_name: bucketFor(bucketName) }));
    for (const { nameVar, bucketName } of bindings.r2Buckets) {
      if (nameVar) block.vars = { ...block.vars, [nameVar]: bucketFor(bucketName) };
    }
  }
  if (bindings.durableObjects.length > 0) {
    block.durable_objects = {
      bindings: bindings.durableObjects.map(({ binding, className }) => ({ name: binding, class_name: className })),
    };
  }
  if (bindings.rateLimits && bindings.rateLimits.length > 0) {
    block.ratelimits = bindings.rateLimits.map(({ binding, limit, periodSeconds }) => ({
      name: binding,
      namespace_id: rateLimitNamespaceId(project, env, binding),
      simple: { limit, period: periodSeconds },
    }));
  }
  if (bindings.services.length > 0) {
    block.services = bindings.services.map(({ binding, worker }) => ({ binding, service: scriptName(project, worker, env) }));
  }
  if (env && bindings.remote.ai) block.ai = { binding: bindings.remote.ai.binding };
  return block;
}

/**
 * A Workers Rate Limiting namespace id: a positive integer unique in the account. Counters are shared by every
 * Worker that names the same id, so each project, environment and binding gets its own, derived from their names
 * (stable across runs, so a redeploy keeps counting in the same namespace).
 *
 * @example
 * rateLimitNamespaceId('my-api', 'production', 'RATE_LIMIT_EDGE_100'); // e.g. '738201944'
 */
export function rateLimitNamespaceId(project: string, env: string | undefined, binding: string): string {
  // FNV-1a, 32 bits: small, stable, no dependency; 1000 and up leaves the low ids to ones a team picks by hand.
  let hash = 0x811c9dc5;
  for (const char of `${project}|${env ?? ''}|${binding}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(1000 + (hash % 2_000_000_000));
}

const header = [
  'Written by appshell from appshell.json. Local development uses the top level; each block under "env"',
  'is one deployed environment (its Worker is named <name>-<env>). Remote-only bindings such as Workers AI',
  'appear only in deployed environments, so that `wrangler dev` starts without a Cloudflare login.',
];

/** Renders the model as `wrangler.jsonc` (with a comment header) or `wrangler.toml`. */
export function renderWranglerConfig(config: WranglerConfig, format: ConfigFormat): string {
  if (format === 'toml') {
    // Taplo (Even Better TOML) reads `#:schema` on the first line, as editors read `$schema` in the jsonc form.
    const { $schema: schema, ...rest } = config;
    const schemaLine = schema ? `#:schema ${schema}\n` : '';
    return `${schemaLine}${header.map((line) => `# ${line}`).join('\n')}\n\n${stringifyToml(rest)}\n`;
  }
  // The model is plain data, so JSON.stringify writes it exactly; reading back keeps comments (wrangler-config-read.ts).
  return `${header.map((line) => `// ${line}`).join('\n')}\n${JSON.stringify(config, null, 2)}\n`;
}

/** `workers/<worker>/wrangler.<format>`: where a Worker's config lives in a project. */
export function workerConfigPath(manifest: { configFormat: ConfigFormat }, worker: WorkerName): string {
  return `workers/${worker}/${configFileName(manifest.configFormat)}`;
}
