import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const api = {
  name: 'api',
  summary: 'verifies the session JWT, rate-limits per user, serves R2, Workers AI and extension routes',
  requires: [],
  runtimeModules: baseRuntimeModules,
  cors: true,
  dependencies: ['hono'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.vars = {
      SESSION_JWT_ALG: manifest.session.alg,
      SESSION_JWT_ISSUER: manifest.session.issuer,
      SESSION_JWT_AUDIENCE: manifest.session.audience,
    };
    if (manifest.accountId) bindings.vars.R2_ACCOUNT_ID = manifest.accountId;
    bindings.r2Buckets.push({ binding: 'R2', bucketName: manifest.bucket, nameVar: 'R2_BUCKET' });
    bindings.kvNamespaces.push({ binding: 'PROJECTS', description: 'example domain resource /v1/projects' });
    if (manifest.session.alg === 'EdDSA') bindings.services.push({ binding: 'AUTH_SHIM', worker: 'auth-shim' });
    if (manifest.features.includes('ai')) {
      bindings.remote.ai = { binding: 'AI' };
      bindings.localVars = { AI_MODE: 'http' };
      bindings.deployedVars = { AI_MODE: 'binding' };
    }
    return bindings;
  },
} satisfies WorkerDescriptor;
