import type { ProjectManifest } from '../manifest.js';
import type { WorkerBindings } from './types.js';

/** The vars a Worker that verifies session JWTs reads (`session-token` in the runtime): algorithm, issuer, audience. */
export function sessionVerificationVars(manifest: ProjectManifest): Record<string, string> {
  return {
    SESSION_JWT_ALG: manifest.session.alg,
    SESSION_JWT_ISSUER: manifest.session.issuer,
    SESSION_JWT_AUDIENCE: manifest.session.audience,
  };
}

/**
 * What verifies the signature: for EdDSA the auth shim's JWKS through the `AUTH_SHIM` service binding (no shared
 * secret), for HS256 the secret shared with the auth shim, with its rotation slot.
 */
export function addSessionVerificationKey(bindings: WorkerBindings, manifest: ProjectManifest): void {
  if (manifest.session.alg === 'EdDSA') {
    bindings.services.push({ binding: 'AUTH_SHIM', worker: 'auth-shim' });
    return;
  }
  bindings.secrets.push({
    name: 'SESSION_JWT_SECRET',
    description: 'HS256 key of the session JWT, the same value as the auth shim (at least 32 bytes)',
    source: 'generated',
    sharedGroup: 'session-jwt',
    rotationSlot: 'SESSION_JWT_SECRET_NEXT',
  });
}
