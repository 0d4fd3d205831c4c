import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const sender = {
  name: 'sender',
  summary: 'public POST /send: validates, signs with HMAC and forwards to the receiver',
  requires: ['receiver'],
  // webhook-signature: Standard Webhooks signing; session-token: only its Bearer header parser.
  runtimeModules: [...baseRuntimeModules, 'json-body', 'session-token', 'webhook-signature'],
  testFixtures: ['session-test-keys', 'signing-secrets'],
  cors: true,
  dependencies: ['hono', 'jose', 'standardwebhooks'],
  bindings() {
    const bindings = emptyBindings();
    // A receiver in another account: when set, it wins over the RECEIVER service binding.
    bindings.vars = { RECEIVER_URL: '' };
    bindings.services.push({ binding: 'RECEIVER', worker: 'receiver' });
    bindings.secrets.push({
      name: 'SIGNING_SECRETS',
      description: 'Standard Webhooks secrets (whsec_...), space-separated; the same value as the receiver',
      source: 'generated',
      sharedGroup: 'signing',
      rotationSlot: 'SIGNING_SECRETS_NEXT',
      signs: true,
    });
    return bindings;
  },
} satisfies WorkerDescriptor;
