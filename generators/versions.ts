/**
 * What a generated project pins. These run on Node 20 (DESIGN.md §6): wrangler 4.86.0 is the last release
 * that starts below Node 22. The tests run inside workerd through @cloudflare/vitest-plugin 1.5.0 (the
 * successor of @cloudflare/vitest-pool-workers): it runs on Node 20 with vitest 4, using its own nested
 * wrangler only as a library. @cloudflare/vitest-pool-workers 0.15.x (up to 0.23.0) wrapped the prototype
 * of its SELF / Durable Object entrypoint classes in one more Proxy on every construction, so every request
 * of a test file walked a chain as long as all the requests before it: quadratic, and a test file with a
 * few hundred requests ran past vitest's timeout. `versions.test.ts` keeps this table equal to what appshell
 * itself tests the templates with.
 */
export const generatedVersions = {
  runtime: {
    hono: '4.13.19',
    jose: '6.2.17',
    aws4fetch: '1.0.20',
    '@instantdb/admin': '1.0.67',
    standardwebhooks: '1.1.1',
  },
  tooling: {
    wrangler: '4.86.0',
    vitest: '4.1.12',
    '@cloudflare/vitest-plugin': '1.5.0',
    '@cloudflare/workers-types': '4.20260426.1',
    typescript: '5.9.3',
    esbuild: '0.27.3',
    // The api tests' S3 stand-in checks presigned URLs with AWS's own signer.
    '@smithy/signature-v4': '5.7.5',
    '@aws-crypto/sha256-js': '5.2.0',
  },
} as const;

/** The newest date the pinned workerd knows; newer dates make `wrangler dev` warn and fall back. */
export const compatibilityDate = '2026-04-20';

/** The Node the generated project supports, and what a newer Node would get. */
export const nodeSupport = {
  engines: '>=20.12.0',
  note: 'wrangler is pinned to 4.86.0, the last release that runs on Node 20; on Node 22 or newer you can move to the latest wrangler.',
} as const;

export type RuntimePackage = keyof typeof generatedVersions.runtime;
