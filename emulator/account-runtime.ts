// Runs what an emulated account has deployed: each Worker's current version in workerd through Miniflare (the
// package wrangler itself depends on), with the bindings its upload declared — KV by namespace id (so two Workers
// binding one id share it), R2 by bucket, Durable Objects (SQLite for `new_sqlite_classes`), service bindings to the
// other deployed Workers — and its secrets. Each Worker answers at a local URL standing for
// `https://<script>.<subdomain>.workers.dev`.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentVersion, type AccountState, type ScriptRecord, type StoredModule } from './account-state.js';

/** The parts of Miniflare's API used here (the package is wrangler's dependency, loaded at run time). */
interface MiniflareInstance {
  ready: Promise<URL>;
  unsafeGetDirectURL(workerName?: string): Promise<URL>;
  dispose(): Promise<void>;
}
type MiniflareConstructor = new (options: Record<string, unknown>) => MiniflareInstance;

export interface RunningDeployedWorkers {
  /** Script name -> its local URL (ends with `/`). */
  urls: Record<string, string>;
  /** What stands for the script's workers.dev address. */
  workersDevHost: (script: string) => string;
  close: () => Promise<void>;
}

export interface RunDeployedOptions {
  /** Where to resolve `miniflare` from (a project with wrangler installed); else appshell's own. */
  resolveFrom?: string;
  /** Keeps KV, R2 and Durable Object data here between runs. */
  persistDir?: string;
  /** Vars that replace what a script's upload says (a rehearsal points the auth shim at a local identity stand-in). */
  varOverrides?: Record<string, Record<string, string>>;
  /** Worker log lines go here (default: dropped). */
  log?: (line: string) => void;
}

async function loadMiniflare(resolveFrom?: string): Promise<MiniflareConstructor> {
  if (resolveFrom) {
    const project = createRequire(join(resolveFrom, 'package.json'));
    // The miniflare the project's wrangler runs (inside wrangler's own node_modules, or hoisted beside it): another
    // package's miniflare may be hoisted to the top instead, of another version with other options.
    const candidates = [
      () => createRequire(project.resolve('wrangler/package.json')).resolve('miniflare'),
      () => project.resolve('miniflare'),
    ];
    for (const candidate of candidates) {
      try {
        return ((await import(pathToFileURL(candidate()).href)) as { Miniflare: MiniflareConstructor }).Miniflare;
      } catch {
        // not there: the next place, then appshell's own
      }
    }
  }
  const specifier = 'miniflare';
  return ((await import(specifier)) as { Miniflare: MiniflareConstructor }).Miniflare;
}

const moduleTypes: Record<string, string> = {
  'application/javascript+module': 'ESModule',
  'application/javascript': 'CommonJS',
  'text/plain': 'Text',
  'application/wasm': 'CompiledWasm',
  'application/octet-stream': 'Data',
};

function toModule(script: string, module: StoredModule) {
  const bytes = Buffer.from(module.content, 'base64');
  const type = moduleTypes[module.contentType] ?? 'ESModule';
  const textual = type === 'ESModule' || type === 'CommonJS' || type === 'Text';
  return { type, path: `/emulated/${script}/${module.name}`, contents: textual ? bytes.toString('utf8') : new Uint8Array(bytes) };
}

/** One Miniflare worker definition for a deployed script's current version. */
export function workerOptions(
  state: AccountState,
  script: ScriptRecord,
  overrides: Record<string, string> = {},
): Record<string, unknown> | undefined {
  const version = currentVersion(script);
  if (!version) return undefined;
  const main = version.modules.find((module) => module.name === version.mainModule);
  const others = version.modules.filter((module) => module !== main);
  const bindings: Record<string, unknown> = {};
  const kvNamespaces: Record<string, string> = {};
  const r2Buckets: Record<string, string> = {};
  const durableObjects: Record<string, unknown> = {};
  const serviceBindings: Record<string, unknown> = {};
  const ratelimits: Record<string, unknown> = {};
  for (const binding of version.bindings) {
    if (binding.type === 'plain_text') bindings[binding.name] = String(binding.text ?? '');
    else if (binding.type === 'json') bindings[binding.name] = binding.json;
    else if (binding.type === 'kv_namespace') kvNamespaces[binding.name] = String(binding.namespace_id);
    else if (binding.type === 'r2_bucket') r2Buckets[binding.name] = String(binding.bucket_name);
    // Workers Rate Limiting: `simple` is `{ limit, period }` (seconds: 10 or 60), as Miniflare takes it.
    else if (binding.type === 'ratelimit') ratelimits[binding.name] = { simple: binding.simple };
    else if (binding.type === 'service') {
      const target = String(binding.service);
      if (state.scripts[target] && currentVersion(state.scripts[target])) {
        serviceBindings[binding.name] = binding.entrypoint ? { name: target, entrypoint: binding.entrypoint } : target;
      }
    } else if (binding.type === 'durable_object_namespace') {
      const owner = binding.script_name ? String(binding.script_name) : script.name;
      const className = String(binding.class_name);
      durableObjects[binding.name] = {
        className,
        ...(owner !== script.name ? { scriptName: owner } : {}),
        useSQLite: (state.scripts[owner]?.sqliteClasses ?? []).includes(className),
      };
    }
  }
  for (const [name, value] of Object.entries(script.secrets)) bindings[name] = value;
  Object.assign(bindings, overrides);
  return {
    name: script.name,
    // Module names are paths under the root, exactly as uploaded.
    modulesRoot: `/emulated/${script.name}`,
    modules: [toModule(script.name, main!), ...others.map((module) => toModule(script.name, module))],
    compatibilityDate: version.compatibilityDate ?? '2024-01-01',
    compatibilityFlags: version.compatibilityFlags,
    bindings,
    kvNamespaces,
    r2Buckets,
    durableObjects,
    serviceBindings,
    ...(Object.keys(ratelimits).length > 0 ? { ratelimits } : {}),
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
}

/**
 * Starts every deployed Worker of the account in one workerd.
 *
 * @example
 * const running = await runDeployedWorkers(account.state);
 * await fetch(new URL('/health', running.urls['demo-api-staging']));
 * await running.close();
 */
export async function runDeployedWorkers(state: AccountState, options: RunDeployedOptions = {}): Promise<RunningDeployedWorkers> {
  const workers = Object.values(state.scripts)
    .map((script) => workerOptions(state, script, options.varOverrides?.[script.name]))
    .filter((worker): worker is Record<string, unknown> => worker !== undefined);
  const workersDevHost = (script: string) => `${script}.${state.subdomain ?? 'rehearsal'}.workers.dev`;
  if (workers.length === 0) return { urls: {}, workersDevHost, close: async () => {} };
  const Miniflare = await loadMiniflare(options.resolveFrom);
  const log = options.log;
  const miniflare = new Miniflare({
    workers,
    host: '127.0.0.1',
    port: 0,
    ...(options.persistDir
      ? {
          kvPersist: join(options.persistDir, 'kv'),
          r2Persist: join(options.persistDir, 'r2'),
          durableObjectsPersist: join(options.persistDir, 'do'),
        }
      : {}),
    ...(log
      ? {
          handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
            for (const stream of [stdout, stderr]) stream.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
          },
        }
      : {
          handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
            stdout.resume();
            stderr.resume();
          },
        }),
  });
  try {
    await miniflare.ready;
    const urls: Record<string, string> = {};
    for (const worker of workers) {
      const name = String(worker.name);
      urls[name] = (await miniflare.unsafeGetDirectURL(name)).href;
    }
    return { urls, workersDevHost, close: () => miniflare.dispose() };
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    throw error;
  }
}
