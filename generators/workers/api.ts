import { addSessionVerificationKey, sessionVerificationVars } from './session-verification.js';
import type { ProjectManifest } from '../manifest.js';
import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

/**
 * The limits the edge limiter needs a binding for: the default and every extension route's own `rateLimit`
 * (a Workers Rate Limiting binding fixes its limit in the config). Named `RATE_LIMIT_EDGE_<limit>`, which the
 * Worker's `edgeBindingName` derives the same way.
 */
export function edgeRateLimits(manifest: ProjectManifest): { binding: string; limit: number; periodSeconds: 60 }[] {
  const limits = new Set([
    manifest.rateLimitPerMinute,
    ...manifest.routes.flatMap((route) => (route.rateLimit === undefined ? [] : [route.rateLimit])),
  ]);
  return [...limits].sort((a, b) => a - b).map((limit) => ({ binding: `RATE_LIMIT_EDGE_${limit}`, limit, periodSeconds: 60 }));
}

export const api = {
  name: 'api',
  summary: 'verifies the session JWT, rate-limits per user, serves R2, Workers AI, Images/Stream uploads and extension routes',
  requires: [],
  runtimeModules: [
    ...baseRuntimeModules,
    'session-token',
    'session-refusal',
    'rate-limiter',
    'rate-limit-decision',
    'edge-rate-limiter',
    'json-body',
    'api-keys',
  ],
  testFixtures: ['session-test-keys'],
  cors: true,
  dependencies: ['hono', 'jose', 'aws4fetch', 'zod'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.vars = {
      ...sessionVerificationVars(manifest),
      // appshell.json rateLimitPerMinute: the budget of every route without a rateLimit of its own.
      RATE_LIMIT_PER_MINUTE: String(manifest.rateLimitPerMinute),
      // exact: the RateLimiter Durable Object; edge: the RATE_LIMIT_EDGE_<limit> bindings (appshell.json rateLimiter).
      RATE_LIMITER_MODE: manifest.rateLimiter,
      // Largest proxied upload (POST /v1/r2/upload); larger bodies get 413 and leave nothing stored.
      MAX_UPLOAD_BYTES: String(100 * 1024 * 1024),
      // Presigned PUTs go to https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com ...
      R2_ACCOUNT_ID: manifest.accountId ?? '',
      // ... or to this S3-compatible endpoint when set (empty: R2).
      R2_S3_ENDPOINT: '',
      // The Worker learns the init features only from here; a feature left out answers 404 on its routes.
      FEATURES: manifest.features.join(','),
    };
    bindings.requiredInDeploy = [
      { name: 'R2_ACCOUNT_ID', field: 'accountId', why: 'presigned uploads go to <account>.r2.cloudflarestorage.com' },
    ];
    if (manifest.features.length > 0) {
      bindings.requiredInDeploy.push({
        name: 'CF_ACCOUNT_ID',
        field: 'accountId',
        why: 'Workers AI over HTTPS, Images and Stream call the account',
      });
      // The Cloudflare REST API (Workers AI over HTTPS, Images, Stream); CF_API_BASE empty = api.cloudflare.com.
      bindings.vars.CF_ACCOUNT_ID = manifest.accountId ?? '';
      bindings.vars.CF_API_BASE = '';
      bindings.kvNamespaces.push({ binding: 'JOBS', description: 'asynchronous AI jobs and media ids, by owner' });
    }
    bindings.r2Buckets.push({ binding: 'R2', bucketName: manifest.bucket, nameVar: 'R2_BUCKET' });
    bindings.kvNamespaces.push({ binding: 'PROJECTS', description: 'example domain resource /v1/projects' });
    // Hashes of API keys written by the receiver's provision-api-key action; the same namespace as the receiver's.
    bindings.kvNamespaces.push({ binding: 'API_KEYS', description: 'API key hashes, shared with the receiver' });
    if (manifest.rateLimiter === 'edge') {
      // One Workers Rate Limiting binding per distinct limit: counted where the request lands, no round trip.
      bindings.rateLimits = edgeRateLimits(manifest);
    } else {
      // One SQLite-backed object per user (and per route group with its own limit): exact counts, alarm cleanup.
      bindings.durableObjects.push({ binding: 'RATE_LIMITER', className: 'RateLimiter' });
    }
    addSessionVerificationKey(bindings, manifest);
    bindings.secrets.push(
      {
        name: 'R2_ACCESS_KEY_ID',
        description: 'R2 API token access key id, for presigned uploads (/v1/r2/signed-put)',
        source: 'provided',
        optional: true,
      },
      {
        name: 'R2_SECRET_ACCESS_KEY',
        description: 'R2 API token secret access key, for presigned uploads',
        source: 'provided',
        optional: true,
      },
    );
    if (manifest.features.length > 0) {
      bindings.secrets.push({
        name: 'CF_API_TOKEN',
        description: 'Cloudflare API token (Workers AI over HTTPS, Images and Stream direct uploads)',
        source: 'provided',
        // Deployed Workers reach Workers AI through the binding; Images and Stream always need the token.
        optional: !manifest.features.includes('images') && !manifest.features.includes('stream'),
      });
    }
    if (manifest.features.includes('ai')) {
      // The AI binding only works against Cloudflare: deployed environments use it, local development and tests
      // reach Workers AI over HTTPS (CF_API_TOKEN; CF_API_BASE may point at a stand-in).
      bindings.remote.ai = { binding: 'AI' };
      bindings.localVars = { AI_MODE: 'http' };
      bindings.deployedVars = { AI_MODE: 'binding' };
    }
    return bindings;
  },
} satisfies WorkerDescriptor;
