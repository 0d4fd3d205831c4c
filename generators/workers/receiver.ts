import { addSessionVerificationKey, sessionVerificationVars } from './session-verification.js';
import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const receiver = {
  name: 'receiver',
  summary: 'verifies signed requests, refuses replays and dispatches actions to handlers',
  requires: [],
  runtimeModules: [...baseRuntimeModules, 'json-body', 'session-token', 'webhook-signature', 'api-keys'],
  cors: false,
  dependencies: ['hono', 'jose', 'standardwebhooks'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.vars = sessionVerificationVars(manifest);
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
