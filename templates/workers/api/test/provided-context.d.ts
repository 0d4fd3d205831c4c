// Loads vitest's own declarations first, so the augmentation below also applies under test/support/tsconfig.json.
import type {} from 'vitest';
import type { CloudflareApiFixture } from './support/cloudflare-api-stand-in.js';
import type { S3StandInFixture } from './support/s3-stand-in.js';

// What test/support/global-setup.ts hands to the Worker's bindings (vitest.config.ts) and to the tests (`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3StandInFixture;
    cloudflare: CloudflareApiFixture;
    /** The project's openapi.json (what `appshell add-route` writes from appshell.json). */
    openapi: { paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>> };
  }
}
