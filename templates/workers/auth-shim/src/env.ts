import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { RateLimiterEnv } from './lib/rate-limiter.js';

/**
 * The bindings, vars and secrets of the auth shim (declared in `generators/workers/auth-shim.ts`, written into
 * the wrangler config by appshell; secrets come from `appshell secrets` or `.dev.vars`). Every value is read
 * per request, so one deployment can be reconfigured without a code change.
 */
export interface Env extends CorsEnv, RateLimiterEnv {
  /** `instant` (default) or `supabase`. */
  IDENTITY_PROVIDER?: string;
  INSTANT_APP_ID?: string;
  /** Base URL of the InstantDB API; empty means `https://api.instantdb.com` (set it for self-hosted Instant). */
  INSTANT_API_URI?: string;
  /** e.g. `https://abcd.supabase.co`. */
  SUPABASE_URL?: string;
  /** Secret: the project's anon (public) API key, sent as `apikey`. */
  SUPABASE_ANON_KEY?: string;
  /** Milliseconds to wait for the identity provider. Default 5000. */
  PROVIDER_TIMEOUT_MS?: string;

  /** `HS256` (default) or `EdDSA`. */
  SESSION_JWT_ALG?: string;
  SESSION_JWT_ISSUER?: string;
  SESSION_JWT_AUDIENCE?: string;
  /** Session lifetime in seconds. Default 600, at most 3600. */
  SESSION_TTL_SECONDS?: string;
  /** Secret, HS256: at least 32 bytes, shared with the api Worker. */
  SESSION_JWT_SECRET?: string;
  /** The second HS256 slot, written by `appshell secrets --rotate SESSION_JWT_SECRET`: the newer secret signs. */
  SESSION_JWT_SECRET_NEXT?: string;
  /** Secret, EdDSA: the Ed25519 private key as a JWK (JSON). */
  SESSION_JWT_PRIVATE_JWK?: string;
  /** The second key slot, written by `appshell secrets --rotate SESSION_JWT_PRIVATE_JWK`: the newer key signs. */
  SESSION_JWT_PRIVATE_JWK_NEXT?: string;
  /** EdDSA: public keys still trusted during a rotation, as a JWKS (`{"keys": [...]}`); the current key is always served. */
  SESSION_JWT_PUBLIC_JWKS?: string;

  /** Session attempts per client IP per minute. Default 30. */
  SESSION_RATE_LIMIT_PER_MINUTE?: string;
  /** Optional: `roles:<userId>` -> JSON array of roles (or `{"roles": [...], "tenant": "..."}`). */
  ROLES?: KVNamespace;
}

/** The Hono environment of this Worker's app. */
export interface AuthShimEnv {
  Bindings: Env;
  Variables: RuntimeVariables;
}
