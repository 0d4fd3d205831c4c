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
    bindings.vars = {
      SESSION_JWT_ALG: manifest.session.alg,
      SESSION_JWT_ISSUER: manifest.session.issuer,
      SESSION_JWT_AUDIENCE: manifest.session.audience,
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
    if (manifest.session.alg === 'EdDSA') {
      bindings.services.push({ binding: 'AUTH_SHIM', worker: 'auth-shim' });
    } else {
      bindings.secrets.push({
        name: 'SESSION_JWT_SECRET',
        description: 'HS256 key of the session JWT, the same value as the auth shim (at least 32 bytes)',
        source: 'generated',
        sharedGroup: 'session-jwt',
        rotationSlot: 'SESSION_JWT_SECRET_NEXT',
      });
    }
    return bindings;
  },
} satisfies WorkerDescriptor;
