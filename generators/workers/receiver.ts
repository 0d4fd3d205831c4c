import { addSessionVerificationKey, sessionVerificationVars } from './session-verification.js';
import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const receiver = {
  name: 'receiver',
  summary: 'verifies signed requests, refuses replays and dispatches actions to handlers',
  requires: [],
  runtimeModules: [...baseRuntimeModules, 'json-body', 'session-token', 'session-refusal', 'webhook-signature', 'api-keys'],
  testFixtures: ['session-test-keys', 'signing-secrets'],
  cors: false,
  dependencies: ['hono', 'jose', 'standardwebhooks'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.vars = {
      ...sessionVerificationVars(manifest),
      // The operator's API key rules (apiKeys in appshell.json), read by the provision-api-key action.
      API_KEY_TIERS: manifest.apiKeys.tiers.join(','),
      API_KEY_TTL_DAYS: String(manifest.apiKeys.defaultTtlDays),
      API_KEY_MAX_TTL_DAYS: String(manifest.apiKeys.maxTtlDays),
      API_KEYS_PER_USER: String(manifest.apiKeys.maxPerUser),
    };
    bindings.kvNamespaces.push({ binding: 'API_KEYS', description: 'API key hashes, shared with the api Worker' });
    bindings.durableObjects.push({ binding: 'REPLAY_GUARD', className: 'ReplayGuard' });
    bindings.secrets.push({
      name: 'SIGNING_SECRETS',
      description: 'Standard Webhooks secrets (whsec_...), space-separated; the same value as the sender',
      source: 'generated',
      sharedGroup: 'signing',
      rotationSlot: 'SIGNING_SECRETS_NEXT',
    });
    addSessionVerificationKey(bindings, manifest);
    return bindings;
  },
} satisfies WorkerDescriptor;
