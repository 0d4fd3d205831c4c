// zod/mini: the same validation as zod's classic API at a tenth of the code to load on every start.
import * as z from 'zod/mini';
import { toolchainNames, type ToolchainName } from './versions.js';

export const workerNames = ['auth-shim', 'api', 'sender', 'receiver'] as const;
export type WorkerName = (typeof workerNames)[number];
export const featureNames = ['ai', 'images', 'stream'] as const;
export type FeatureName = (typeof featureNames)[number];
export const identityProviders = ['instant', 'supabase'] as const;
export const jwtAlgorithms = ['HS256', 'EdDSA'] as const;
export const configFormats = ['jsonc', 'toml'] as const;
export const ciProviders = ['none', 'github'] as const;
/**
 * The API Worker's per-user limiter: `exact` a Durable Object per user (exact under concurrency, one round trip to
 * where the object lives), `edge` Cloudflare's Workers Rate Limiting binding (per location, approximate, no round trip).
 */
export const rateLimiters = ['exact', 'edge'] as const;
export type RateLimiterName = (typeof rateLimiters)[number];
export { toolchainNames };

const projectName = z.string().check(
  z.regex(
    /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/,
    'must be 2-40 characters of lowercase letters, digits and dashes, starting with a letter and not ending with a dash',
  ),
  z.refine((name) => !name.includes('--'), 'must not contain two dashes in a row'),
);

/** An exact web origin: scheme, host and optional port, nothing else; `*` is refused on purpose. */
export const originSchema = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = describeOriginProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `'${value}' ${problem}` });
  }),
);

export function describeOriginProblem(value: string): string | undefined {
  if (value === '*' || value.includes('*')) return 'is a wildcard; list each origin explicitly';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL; use the form https://app.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.origin !== value.replace(/\/$/, '')) return 'must be an origin only (no path, query or credentials)';
  return undefined;
}

/** A comma list as typed on the command line: items trimmed, empty ones dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * An origin that only exists on a developer's machine: localhost and its subdomains, loopback addresses. A deployed
 * environment that allows one lets any page a visitor runs locally call the API with their session.
 *
 * @example
 * isDevelopmentOrigin('http://localhost:3000'); // true
 * isDevelopmentOrigin('https://app.example.com'); // false
 */
export function isDevelopmentOrigin(origin: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return false;
  }
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]' ||
    hostname === '0.0.0.0'
  );
}

const deployedOrigin = originSchema.check(
  z.superRefine((value, ctx) => {
    if (isDevelopmentOrigin(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `'${value}' is a development origin: deployed environments take your app's real origins (https://...); local ones go in --dev-origins`,
      });
    }
  }),
);

const envName = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be lowercase letters, digits and dashes, starting with a letter'));

/** Every answer `init-worker` takes, after defaults. The single source of truth for validation. */
export const initAnswersSchema = z
  .strictObject({
    name: projectName,
    workers: z
      .array(z.enum(workerNames, { message: `must be some of ${workerNames.join(', ')}` }))
      .check(z.minLength(1, 'must name at least one Worker')),
    accountId: z.optional(
      z.string().check(z.regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare account id: 32 lowercase hexadecimal characters')),
    ),
    bucket: z
      .string()
      .check(
        z.regex(
          /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
          'must be an R2 bucket name: 3-63 lowercase letters, digits and dashes, starting and ending with a letter or digit',
        ),
      ),
    identity: z.enum(identityProviders, { message: `must be one of ${identityProviders.join(', ')}` }),
    instantAppId: z.optional(
      z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an InstantDB app id (a UUID)')),
    ),
    supabaseUrl: z.optional(
      z
        .string()
        .check(
          z.refine(
            (value) => /^https:\/\/[^/\s]+$/.test(value) && URL.canParse(value),
            'must be an https URL such as https://abcd.supabase.co',
          ),
        ),
    ),
    jwtAlg: z.enum(jwtAlgorithms, { message: `must be one of ${jwtAlgorithms.join(', ')}` }),
    issuer: z.string().check(z.regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters without spaces')),
    audience: z.string().check(z.regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters without spaces')),
    /** CORS allow-list of the deployed environments: empty until the team names its app's origins. */
    origins: z.array(deployedOrigin),
    /** CORS allow-list of local development (`appshell dev`, tests). */
    devOrigins: z.array(originSchema),
    features: z.array(z.enum(featureNames, { message: `must be some of ${featureNames.join(', ')}` })),
    envs: z.array(envName).check(z.minLength(1, 'must name at least one environment')),
    configFormat: z.enum(configFormats, { message: `must be one of ${configFormats.join(', ')}` }),
    ci: z.enum(ciProviders, { message: `must be one of ${ciProviders.join(', ')}` }),
    toolchain: z.enum(toolchainNames, { message: `must be one of ${toolchainNames.join(', ')}` }),
    rateLimiter: z.enum(rateLimiters, { message: `must be one of ${rateLimiters.join(', ')}` }),
    install: z.boolean(),
    git: z.boolean(),
  })
  .check(
    z.superRefine((answers, ctx) => {
      const has = (worker: WorkerName) => answers.workers.includes(worker);
      if (has('sender') && !has('receiver')) {
        ctx.addIssue({ code: 'custom', path: ['workers'], message: 'sender forwards to receiver: add receiver to the list' });
      }
      const keyReader = ['api', 'receiver'].find((worker) => has(worker as WorkerName));
      if (answers.jwtAlg === 'EdDSA' && keyReader && !has('auth-shim')) {
        ctx.addIssue({
          code: 'custom',
          path: ['workers'],
          message: `with --jwt-alg EdDSA the ${keyReader} Worker reads its keys from auth-shim: add auth-shim to the list`,
        });
      }
      for (const [field, list] of [
        ['workers', answers.workers],
        ['features', answers.features],
        ['envs', answers.envs],
        ['origins', answers.origins],
        ['devOrigins', answers.devOrigins],
      ] as const) {
        const duplicate = (list as readonly string[]).find((item, index) => list.indexOf(item as never) !== index);
        if (duplicate) ctx.addIssue({ code: 'custom', path: [field], message: `lists '${duplicate}' twice` });
      }
      if (answers.features.length > 0 && !has('api')) {
        ctx.addIssue({
          code: 'custom',
          path: ['features'],
          message: 'features run in the api Worker: add api to --workers or drop --features',
        });
      }
    }),
  );

export type InitAnswers = z.infer<typeof initAnswersSchema>;
export type AnswerKey = keyof InitAnswers;

/** The flag that sets each answer, so that a message names what the user typed. */
export const answerFlags: Record<AnswerKey, string> = {
  name: '--name',
  workers: '--workers',
  accountId: '--account-id',
  bucket: '--bucket',
  identity: '--identity',
  instantAppId: '--instant-app-id',
  supabaseUrl: '--supabase-url',
  jwtAlg: '--jwt-alg',
  issuer: '--issuer',
  audience: '--audience',
  origins: '--origins',
  devOrigins: '--dev-origins',
  features: '--features',
  envs: '--envs',
  configFormat: '--config-format',
  ci: '--ci',
  toolchain: '--toolchain',
  rateLimiter: '--rate-limiter',
  install: '--no-install',
  git: '--no-git',
};

/** The answers a person is asked for when nothing else gives them; others take a default silently. */
export const promptedAnswers: readonly AnswerKey[] = ['name', 'workers', 'identity', 'jwtAlg', 'features', 'envs', 'configFormat'];

/**
 * What a deployed environment needs and only the team knows. Asked for with a terminal (an empty answer leaves it
 * for later); without one they are not demanded, and `appshell deploy` refuses an environment that lacks them.
 */
export const promptedDeployAnswers: readonly AnswerKey[] = ['accountId', 'instantAppId', 'supabaseUrl', 'origins', 'devOrigins'];

/** Asked with a terminal; without one they take their default (so scripts written before them keep working). */
export const promptedDefaultedAnswers: readonly AnswerKey[] = ['rateLimiter'];

/**
 * Defaults for every answer not given; some depend on the name. The toolchain's default is what the Node that runs
 * appshell can run (`toolchainForNode`), which the caller knows.
 */
export function defaultAnswers(name: string, toolchain: ToolchainName = 'node20'): InitAnswers {
  return {
    name,
    workers: [...workerNames],
    bucket: `${name}-uploads`,
    identity: 'instant',
    jwtAlg: 'HS256',
    issuer: `${name}-auth-shim`,
    audience: `${name}-api`,
    // A deployed environment never gets a development origin by default (appshell deploy refuses one).
    origins: [],
    devOrigins: ['http://localhost:3000'],
    features: [],
    envs: ['staging', 'production'],
    configFormat: 'jsonc',
    ci: 'none',
    toolchain,
    rateLimiter: 'exact',
    install: true,
    git: true,
  };
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Validates merged answers; the first problem comes back as `--flag: message`. */
export function validateAnswers(input: Record<string, unknown>): ValidationResult<InitAnswers> {
  const parsed = initAnswersSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return { ok: false, field: key, message: `'${key}' is not an answer appshell knows; allowed: ${Object.keys(answerFlags).join(', ')}` };
  }
  const key = String(issue.path[0] ?? 'answers') as AnswerKey;
  const flag = answerFlags[key] ?? key;
  let message = issue.message;
  if (issue.code === 'invalid_type') message = `must be ${issue.expected}`;
  const index = issue.path[1];
  const list = input[key];
  if (typeof index === 'number' && Array.isArray(list) && !message.startsWith("'")) {
    message = `'${String(list[index])}' ${message.replace(/^Invalid option: expected one of .*$/, 'is not allowed')}`;
  }
  return { ok: false, field: flag, message: `${flag}: ${message}` };
}
