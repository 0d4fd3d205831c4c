import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

/**
 * The auth shim: identity-provider token -> short-lived session JWT. Every var, binding and secret its code
 * reads is declared here (see `templates/workers/auth-shim/src/env.ts`).
 */
export const authShim = {
  name: 'auth-shim',
  summary: 'turns an identity-provider token into a short-lived session JWT',
  requires: [],
  // session-token: the api Worker's verifier, used by test/api-contract.test.ts to prove the tokens fit it.
  runtimeModules: [...baseRuntimeModules, 'rate-limiter', 'rate-limit-decision', 'session-token', 'json-body'],
  testFixtures: [],
  cors: true,
  dependencies: ['hono', 'jose', '@instantdb/admin'],
  bindings(manifest) {
    const bindings = emptyBindings();
    const { provider } = manifest.identity;
    bindings.vars = {
      IDENTITY_PROVIDER: provider,
      SESSION_JWT_ALG: manifest.session.alg,
      SESSION_JWT_ISSUER: manifest.session.issuer,
      SESSION_JWT_AUDIENCE: manifest.session.audience,
      SESSION_TTL_SECONDS: '600',
      SESSION_RATE_LIMIT_PER_MINUTE: '30',
      PROVIDER_TIMEOUT_MS: '5000',
    };
    if (provider === 'instant') {
      bindings.vars.INSTANT_APP_ID = manifest.identity.instantAppId ?? '';
      bindings.requiredInDeploy = [
        { name: 'INSTANT_APP_ID', field: 'identity.instantAppId', why: 'the InstantDB app whose users sign in' },
      ];
      // Optional: empty means https://api.instantdb.com; set it for a self-hosted Instant.
      bindings.vars.INSTANT_API_URI = '';
    }
    if (provider === 'supabase') {
      bindings.vars.SUPABASE_URL = manifest.identity.supabaseUrl ?? '';
      bindings.requiredInDeploy = [
        { name: 'SUPABASE_URL', field: 'identity.supabaseUrl', why: 'the Supabase project whose users sign in' },
      ];
      bindings.secrets.push({
        name: 'SUPABASE_ANON_KEY',
        description: "the Supabase project's anon (public) API key, sent as apikey when asking Supabase Auth who a token belongs to",
        source: 'provided',
      });
    }
    if (manifest.session.alg === 'HS256') {
      bindings.secrets.push({
        name: 'SESSION_JWT_SECRET',
        description: 'HS256 key of the session JWT (at least 32 bytes); the api Worker verifies with the same value',
        source: 'generated',
        sharedGroup: 'session-jwt',
        rotationSlot: 'SESSION_JWT_SECRET_NEXT',
        signs: true,
      });
    } else {
      // Public keys of earlier signing keys stay published here during a rotation; the current key is always served.
      bindings.vars.SESSION_JWT_PUBLIC_JWKS = '';
      bindings.secrets.push({
        name: 'SESSION_JWT_PRIVATE_JWK',
        description:
          'Ed25519 private key of the session JWT as a JWK (JSON with kty OKP, crv Ed25519, x, d, kid); the api Worker reads the public key from /.well-known/jwks.json',
        source: 'generated',
        rotationSlot: 'SESSION_JWT_PRIVATE_JWK_NEXT',
        signs: true,
      });
    }
    bindings.kvNamespaces.push({
      binding: 'ROLES',
      description: 'roles per user (key roles:<userId>, a JSON array) put into session JWTs',
    });
    bindings.durableObjects.push({ binding: 'RATE_LIMITER', className: 'RateLimiter' });
    return bindings;
  },
} satisfies WorkerDescriptor;
