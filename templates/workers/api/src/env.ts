import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { RateLimiterEnv } from './lib/rate-limiter.js';
import type { AuthContext, SessionTokenEnv } from './lib/session-token.js';

/**
 * The bindings, vars and secrets of the API Worker (declared in `generators/workers/api.ts`, written into
 * the wrangler config by appshell). Regenerate the full list with `wrangler types` if you add your own.
 */
export interface Env extends CorsEnv, SessionTokenEnv, RateLimiterEnv {
  /** Requests per user per minute for routes without their own `rateLimit`. Default 100. */
  RATE_LIMIT_PER_MINUTE?: string;
  /** The example domain resource `/v1/projects`. */
  PROJECTS: KVNamespace;
  /** Object storage: every key under the caller's prefix (`/v1/r2/*`, generated images). */
  R2: R2Bucket;
  R2_BUCKET?: string;
  R2_ACCOUNT_ID?: string;
  /** An S3-compatible endpoint instead of `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com` (tests, other stores). */
  R2_S3_ENDPOINT?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  /** Largest proxied upload in bytes; default 100 MB. */
  MAX_UPLOAD_BYTES?: string;
  /** `binding` (deployed: the AI binding) or `http` (local: the REST API with CF_API_TOKEN); unset: binding if bound. */
  AI_MODE?: string;
  /** Workers AI; only in deployed environments (a remote-only binding would stop `wrangler dev` offline). */
  AI?: Ai;
  /** Features chosen at init (comma list of ai, images, stream); a disabled feature's routes answer 404. */
  FEATURES?: string;
  CF_ACCOUNT_ID?: string;
  /** The Cloudflare API base URL; empty means https://api.cloudflare.com/client/v4 (tests point it at a stand-in). */
  CF_API_BASE?: string;
  CF_API_TOKEN?: string;
  /** Asynchronous AI jobs and media ids recorded against their owner; bound when a feature (ai, images, stream) is on. */
  JOBS?: KVNamespace;
  /** Hashes of API keys provisioned by the receiver (`obtk_...`), shared with it. */
  API_KEYS: KVNamespace;
}

/** What middleware share through `c.get` / `c.set` in this Worker. */
export interface ApiVariables extends RuntimeVariables {
  /** Set by the auth guard; present in every handler behind it. */
  auth: AuthContext;
}

/** The Hono environment of this Worker's app. */
export interface ApiEnv {
  Bindings: Env;
  Variables: ApiVariables;
}
