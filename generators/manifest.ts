import * as z from 'zod/mini';
import { toolchainNames } from './versions.js';
import {
  ciProviders,
  configFormats,
  featureNames,
  identityProviders,
  jwtAlgorithms,
  originSchema,
  rateLimiters,
  workerNames,
  type InitAnswers,
} from './answers.js';

// A leaf: the schema of appshell.json and its text form. What a fresh project starts with is in manifest-defaults.ts,
// reading a file (which also extends the migration ledgers from the Worker descriptors) in manifest-read.ts.

export const templateVersion = '0.1.0';
/** The format of appshell.json itself; `migrateManifest` brings older files up to it. 1 had no field; 2 had no route tables. */
export const manifestSchemaVersion = 3;
export const manifestFileName = 'appshell.json';
export const manifestSchemaFileName = 'appshell.schema.json';

/** A description for the JSON Schema that editors show. */
function described<T extends z.core.$ZodType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

/** Requests per minute a limit may allow: the bounds of `rateLimitPerMinute` and of every route's `rateLimit`. */
export const rateLimitBounds = { min: 1, max: 100_000 } as const;
/** Requests per user per minute on a route without a `rateLimit` of its own, unless `rateLimitPerMinute` says otherwise. */
export const defaultRateLimitPerMinute = 100;
const perMinute = () => z.int().check(z.gte(rateLimitBounds.min), z.lte(rateLimitBounds.max));

const extensionRouteSchema = z.strictObject({
  path: described(z.string(), 'Route path, e.g. /v1/invoices/:id'),
  methods: z.array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).check(z.minLength(1)),
  public: z._default(z.boolean(), false),
  roles: z._default(z.array(z.string()), []),
  rateLimit: described(
    z.optional(perMinute()),
    'Requests per minute on this route (per user; per client IP on a public route), counted apart from rateLimitPerMinute',
  ),
  description: z.optional(z.string()),
  handler: described(z.string(), 'Module under src/extensions/, without extension'),
  handlerStyle: described(
    z.optional(z.literal('fetch')),
    'fetch: a handler from before route tables, (request, env, auth, ctx), answering its path and every path below it. Rewrite it as a PathHandler (c) and remove this field to get typed path parameters',
  ),
});

const receiverActionSchema = z.strictObject({
  name: z.string(),
  requiresUser: described(
    z._default(z.boolean(), true),
    'Whether the signed body must carry a signed-in user (default); false makes the action public',
  ),
  handler: z.string(),
});

/** `appshell.json`: what the project is made of. Every command reads it; editors validate it with the JSON Schema. */
const migrationStepSchema = z.strictObject({
  tag: z.string().check(z.regex(/^[\w.-]{1,64}$/)),
  new_sqlite_classes: z.optional(z.array(z.string())),
  deleted_classes: z.optional(z.array(z.string())),
});

const days = (fallback: number) => z._default(z.int().check(z.positive(), z.lte(3650)), fallback);

/** The operator's rules for API keys (`obtk_…`), written into the receiver's vars. */
export const apiKeysSchema = z
  .strictObject({
    tiers: described(
      z._default(z.array(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/))).check(z.minLength(1)), ['free']),
      'Tiers a user may ask for when provisioning a key (the first is the default). A tier names a quota, never a role',
    ),
    defaultTtlDays: described(days(30), 'Lifetime of a key when the user asks for none, in days'),
    maxTtlDays: described(days(90), 'Longest lifetime a user may ask for, in days'),
    maxPerUser: described(z._default(z.int().check(z.positive(), z.lte(1000)), 10), 'Keys one user may hold at once'),
  })
  .check(z.refine((keys) => keys.defaultTtlDays <= keys.maxTtlDays, 'defaultTtlDays must not be over maxTtlDays'));

/** The defaults of `apiKeys`, from the schema itself. */
export const defaultApiKeys = apiKeysSchema.parse({});

export const manifestSchema = z.strictObject({
  $schema: z.optional(z.string()),
  schemaVersion: described(
    z.literal(manifestSchemaVersion),
    'Version of the format of this file; appshell migrates older files when it writes them',
  ),
  templateVersion: described(z.string(), 'The appshell template version the project was generated from'),
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/)),
  accountId: z.optional(z.string().check(z.regex(/^[0-9a-f]{32}$/))),
  workers: z.array(z.enum(workerNames)).check(z.minLength(1)),
  configFormat: z.enum(configFormats),
  ci: described(z._default(z.enum(ciProviders), 'none'), 'Continuous deployment workflow written into the project'),
  toolchain: described(
    z._default(z.enum(toolchainNames), 'node20'),
    'Pinned tool versions: current (Node 22.12+, the newest wrangler) or node20 (wrangler 4.86.0, the last for Node 20)',
  ),
  identity: z.strictObject({
    provider: z.enum(identityProviders),
    instantAppId: z.optional(z.string()),
    supabaseUrl: z.optional(z.string()),
  }),
  session: z.strictObject({
    alg: z.enum(jwtAlgorithms),
    issuer: z.string().check(z.minLength(1)),
    audience: z.string().check(z.minLength(1)),
  }),
  bucket: z.string(),
  features: z.array(z.enum(featureNames)),
  rateLimitPerMinute: described(
    z._default(perMinute(), defaultRateLimitPerMinute),
    "The API Worker's default budget: requests per user per minute on every route without a rateLimit of its own (RATE_LIMIT_PER_MINUTE)",
  ),
  rateLimiter: described(
    z._default(z.enum(rateLimiters), 'exact'),
    "The API Worker's per-user limiter: exact (a Durable Object per user, exact under concurrency) or edge (the Workers Rate Limiting binding: per location, approximate, no round trip)",
  ),
  environments: z.array(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,19}$/))).check(z.minLength(1)),
  origins: described(z.record(z.string(), z.array(originSchema)), 'CORS allow-list per environment; "dev" is local development'),
  routes: z._default(z.array(extensionRouteSchema), []),
  actions: z._default(z.array(receiverActionSchema), []),
  apiKeys: described(z._default(apiKeysSchema, defaultApiKeys), 'API keys: tiers, lifetimes and the per-user cap'),
  rotations: described(
    z._default(z.record(z.string(), z.record(z.string(), z.string())), {}),
    'Secret rotations in progress, per environment: secret name -> the slot that holds the new value (names only, never values)',
  ),
  migrations: described(
    z._default(z.record(z.string(), z.array(migrationStepSchema)), {}),
    'Durable Object migrations per Worker, an append-only ledger: appshell adds a step for a new class and never rewrites one (wrangler applies them in order)',
  ),
  kvNamespaces: described(
    z._default(z.record(z.string(), z.record(z.string(), z.string().check(z.regex(/^[0-9a-f]{32}$/)))), {}),
    'KV namespace ids per environment (binding -> id), written into the wrangler configs. appshell deploy records the namespaces several Workers share (API_KEYS)',
  ),
});

export type ProjectManifest = z.infer<typeof manifestSchema>;
export type ExtensionRoute = z.infer<typeof extensionRouteSchema>;
export type ReceiverAction = z.infer<typeof receiverActionSchema>;

/**
 * The answers a manifest stands for, so that re-running `init-worker` keeps what the project has (its account, its
 * identity app, its origins, ...) wherever a flag, the answers file or a prompt gives nothing new. The origins
 * answer is the first deployed environment's list (`planInitWorker` keeps each environment's own when it is unchanged).
 */
export function answersFromManifest(manifest: ProjectManifest): Partial<InitAnswers> {
  const first = manifest.environments[0];
  return {
    name: manifest.name,
    workers: manifest.workers,
    ...(manifest.accountId ? { accountId: manifest.accountId } : {}),
    bucket: manifest.bucket,
    identity: manifest.identity.provider,
    ...(manifest.identity.instantAppId ? { instantAppId: manifest.identity.instantAppId } : {}),
    ...(manifest.identity.supabaseUrl ? { supabaseUrl: manifest.identity.supabaseUrl } : {}),
    jwtAlg: manifest.session.alg,
    issuer: manifest.session.issuer,
    audience: manifest.session.audience,
    origins: (first && manifest.origins[first]) || [],
    devOrigins: manifest.origins.dev ?? [],
    features: manifest.features,
    envs: manifest.environments,
    configFormat: manifest.configFormat,
    ci: manifest.ci,
    toolchain: manifest.toolchain,
    rateLimiter: manifest.rateLimiter,
  };
}

/** The JSON Schema of `appshell.json`, written beside it so editors validate and complete it. */
export function renderManifestJsonSchema(): string {
  const schema = z.toJSONSchema(manifestSchema, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'appshell project manifest' }, null, 2)}\n`;
}

export function renderManifest(manifest: ProjectManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * An appshell.json of an older format, as the current format: version 1 (no `schemaVersion`) is version 2 with the
 * field added (the toolchain, ledger and API key defaults of later releases fill in through the schema's defaults);
 * version 2's routes had `fetch` handlers (`handlerStyle: "fetch"` keeps them working, mounted as before).
 * A file of a newer format than this appshell knows is refused: a newer appshell wrote the project.
 */
export function migrateManifest(value: unknown): { ok: true; value: unknown; from: number } | { ok: false; message: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: true, value, from: manifestSchemaVersion };
  const record = value as Record<string, unknown>;
  const from = record.schemaVersion === undefined ? 1 : record.schemaVersion;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    return { ok: false, message: `${manifestFileName}: schemaVersion must be a whole number up to ${manifestSchemaVersion}` };
  }
  if (from > manifestSchemaVersion) {
    return {
      ok: false,
      message: `${manifestFileName}: schemaVersion ${from} was written by a newer appshell (this one reads up to ${manifestSchemaVersion}); run the appshell the project depends on`,
    };
  }
  if (from === manifestSchemaVersion) return { ok: true, value, from };
  const { $schema, schemaVersion: _older, ...rest } = record;
  const routes = Array.isArray(rest.routes)
    ? rest.routes.map((route: unknown) =>
        typeof route === 'object' && route !== null && !Array.isArray(route) ? { ...route, handlerStyle: 'fetch' } : route,
      )
    : rest.routes;
  return {
    ok: true,
    value: {
      ...($schema === undefined ? {} : { $schema }),
      schemaVersion: manifestSchemaVersion,
      ...rest,
      ...(routes === undefined ? {} : { routes }),
    },
    from,
  };
}
