import { workerNames, featureNames, type InitAnswers } from './answers.js';
import {
  defaultApiKeys,
  defaultRateLimitPerMinute,
  manifestSchemaFileName,
  manifestSchemaVersion,
  templateVersion,
  type ExtensionRoute,
  type ProjectManifest,
  type ReceiverAction,
} from './manifest.js';
import { withMigrationLedgers } from './migrations.js';

/** The route every new project starts with: the example extension `src/extensions/hello.ts`. */
export const exampleRoute: ExtensionRoute = {
  path: '/v1/hello',
  methods: ['GET'],
  public: false,
  roles: [],
  description: 'Example extension: answers who is calling',
  handler: 'hello',
};

/** The actions every new receiver starts with: API keys for the signed-in user. */
export const exampleActions: ReceiverAction[] = [
  { name: 'provision-api-key', requiresUser: true, handler: 'provision-api-key' },
  { name: 'revoke-api-key', requiresUser: true, handler: 'revoke-api-key' },
  { name: 'list-api-keys', requiresUser: true, handler: 'list-api-keys' },
];

/** The manifest a fresh project starts with. */
export function manifestFromAnswers(answers: InitAnswers): ProjectManifest {
  return withMigrationLedgers({
    $schema: `./${manifestSchemaFileName}`,
    schemaVersion: manifestSchemaVersion,
    templateVersion,
    name: answers.name,
    ...(answers.accountId ? { accountId: answers.accountId } : {}),
    workers: workerNames.filter((worker) => answers.workers.includes(worker)),
    configFormat: answers.configFormat,
    ci: answers.ci,
    toolchain: answers.toolchain,
    identity: {
      provider: answers.identity,
      ...(answers.instantAppId ? { instantAppId: answers.instantAppId } : {}),
      ...(answers.supabaseUrl ? { supabaseUrl: answers.supabaseUrl } : {}),
    },
    session: { alg: answers.jwtAlg, issuer: answers.issuer, audience: answers.audience },
    bucket: answers.bucket,
    features: featureNames.filter((feature) => answers.features.includes(feature)),
    rateLimitPerMinute: defaultRateLimitPerMinute,
    rateLimiter: answers.rateLimiter,
    environments: answers.envs,
    origins: Object.fromEntries([['dev', answers.devOrigins], ...answers.envs.map((env) => [env, answers.origins])]),
    routes: answers.workers.includes('api') ? [exampleRoute] : [],
    actions: answers.workers.includes('receiver') ? exampleActions : [],
    apiKeys: defaultApiKeys,
    rotations: {},
    migrations: {},
    kvNamespaces: {},
  });
}
