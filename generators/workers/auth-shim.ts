import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const authShim = {
  name: 'auth-shim',
  summary: 'turns an identity-provider token into a short-lived session JWT',
  requires: [],
  runtimeModules: baseRuntimeModules,
  cors: true,
  dependencies: ['hono'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.vars = {
      IDENTITY_PROVIDER: manifest.identity.provider,
      SESSION_JWT_ALG: manifest.session.alg,
      SESSION_JWT_ISSUER: manifest.session.issuer,
      SESSION_JWT_AUDIENCE: manifest.session.audience,
      SESSION_TTL_SECONDS: '600',
    };
    if (manifest.identity.provider === 'instant') bindings.vars.INSTANT_APP_ID = manifest.identity.instantAppId ?? '';
    if (manifest.identity.provider === 'supabase') bindings.vars.SUPABASE_URL = manifest.identity.supabaseUrl ?? '';
    return bindings;
  },
} satisfies WorkerDescriptor;
