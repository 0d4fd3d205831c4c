import { z } from 'zod';
import { exampleActions } from './action-registry.js';
import { exampleRoute } from './extension-registry.js';
import {
  ciProviders,
  configFormats,
  featureNames,
  identityProviders,
  jwtAlgorithms,
  originSchema,
  workerNames,
  type InitAnswers,
} from './answers.js';

export const templateVersion = '0.1.0';
export const manifestFileName = 'appshell.json';
export const manifestSchemaFileName = 'appshell.schema.json';

const extensionRouteSchema = z
  .object({
    path: z.string().describe('Route path, e.g. /v1/invoices/:id'),
    methods: z.array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1),
    public: z.boolean().default(false),
    roles: z.array(z.string()).default([]),
    rateLimit: z.number().int().positive().optional(),
    description: z.string().optional(),
    handler: z.string().describe('Module under src/extensions/, without extension'),
  })
  .strict();

const receiverActionSchema = z
  .object({
    name: z.string(),
    requiresUser: z.boolean().default(false),
    handler: z.string(),
  })
  .strict();

/** `appshell.json`: what the project is made of. Every command reads it; editors validate it with the JSON Schema. */
export const manifestSchema = z
  .object({
    $schema: z.string().optional(),
    templateVersion: z.string().describe('The appshell template version the project was generated from'),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/),
    accountId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
    workers: z.array(z.enum(workerNames)).min(1),
    configFormat: z.enum(configFormats),
    ci: z.enum(ciProviders).default('none').describe('Continuous deployment workflow written into the project'),
    identity: z
      .object({
        provider: z.enum(identityProviders),
        instantAppId: z.string().optional(),
        supabaseUrl: z.string().optional(),
      })
      .strict(),
    session: z
      .object({ alg: z.enum(jwtAlgorithms), issuer: z.string().min(1), audience: z.string().min(1) })
      .strict(),
    bucket: z.string(),
    features: z.array(z.enum(featureNames)),
    environments: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,19}$/)).min(1),
    origins: z
      .record(z.string(), z.array(originSchema))
      .describe('CORS allow-list per environment; "dev" is local development'),
    routes: z.array(extensionRouteSchema).default([]),
    actions: z.array(receiverActionSchema).default([]),
  })
  .strict();

export type ProjectManifest = z.infer<typeof manifestSchema>;
export type ExtensionRoute = z.infer<typeof extensionRouteSchema>;
export type ReceiverAction = z.infer<typeof receiverActionSchema>;

/** The manifest a fresh project starts with. */
export function manifestFromAnswers(answers: InitAnswers): ProjectManifest {
  return {
    $schema: `./${manifestSchemaFileName}`,
    templateVersion,
    name: answers.name,
    ...(answers.accountId ? { accountId: answers.accountId } : {}),
    workers: workerNames.filter((worker) => answers.workers.includes(worker)),
    configFormat: answers.configFormat,
    ci: answers.ci,
    identity: {
      provider: answers.identity,
      ...(answers.instantAppId ? { instantAppId: answers.instantAppId } : {}),
      ...(answers.supabaseUrl ? { supabaseUrl: answers.supabaseUrl } : {}),
    },
    session: { alg: answers.jwtAlg, issuer: answers.issuer, audience: answers.audience },
    bucket: answers.bucket,
    features: featureNames.filter((feature) => answers.features.includes(feature)),
    environments: answers.envs,
    origins: Object.fromEntries([['dev', answers.origins], ...answers.envs.map((env) => [env, answers.origins])]),
    routes: answers.workers.includes('api') ? [exampleRoute] : [],
    actions: answers.workers.includes('receiver') ? exampleActions : [],
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

export type ManifestResult = { ok: true; manifest: ProjectManifest } | { ok: false; message: string };

/** Parses `appshell.json` text; the message names the first bad field. */
export function parseManifest(text: string): ManifestResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${manifestFileName} is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `${manifestFileName}: ${issue.path.join('.') || '(root)'} ${issue.message}` };
}
