import type { CorsEnv } from './lib/cors.js';
import type { EdgeRateLimiterEnv } from './lib/edge-rate-limiter.js';
import type { RuntimeVariables } from './lib/log.js';
import type { RateLimiterEnv } from './lib/rate-limiter.js';
import type { AuthContext, SessionTokenEnv } from './lib/session-token.js';

/**
 * The bindings, vars and secrets of the API Worker: `Cloudflare.Env` is what `wrangler types` reads from
 * wrangler.{jsonc,toml} and .dev.vars.example (worker-configuration.d.ts, written by `npm run types`; `npm run
 * typecheck` fails when it no longer matches the config). Each runtime module declares the settings it reads, so
 * what a config may leave out (a rotation slot, an optional var) stays optional; the rest below is what wrangler
 * cannot know from this project's config alone.
 */
export type Env = Cloudflare.Env & CorsEnv & SessionTokenEnv & Partial<RateLimiterEnv> & EdgeRateLimiterEnv & Partial<FeatureBindings>;

// RATE_LIMITER (the exact limiter's Durable Object) is bound only with appshell.json rateLimiter "exact", the
// RATE_LIMIT_EDGE_<limit> bindings only with "edge".

/** Bound only when a feature (ai, images, stream) is on, and Workers AI only in deployed environments. */
interface FeatureBindings {
  /** Asynchronous AI jobs and media ids recorded against their owner. */
  JOBS: KVNamespace;
  AI: Ai;
  /** `binding` (deployed: the AI binding) or `http` (local: the REST API with CF_API_TOKEN); unset: binding if bound. */
  AI_MODE: string;
  CF_ACCOUNT_ID: string;
  /** The Cloudflare API base URL; empty means https://api.cloudflare.com/client/v4 (tests point it at a stand-in). */
  CF_API_BASE: string;
  CF_API_TOKEN: string;
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
