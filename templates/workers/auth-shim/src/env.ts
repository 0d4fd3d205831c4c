import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { RateLimiterEnv } from './lib/rate-limiter.js';

/**
 * The bindings, vars and secrets of the auth shim: `Cloudflare.Env` is what `wrangler types` reads from
 * wrangler.{jsonc,toml} and .dev.vars.example (worker-configuration.d.ts, written by `npm run types`; `npm run
 * typecheck` fails when it no longer matches the config). Each runtime module declares the settings it reads, so
 * what a config may leave out (a rotation slot, an optional var) stays optional; the rest below is what wrangler
 * cannot know from this project's config alone.
 */
export type Env = Cloudflare.Env & CorsEnv & RateLimiterEnv & Partial<ProviderSettings & SigningKeys>;

/** The chosen identity provider's settings are in the config; the other provider's are not. */
interface ProviderSettings {
  INSTANT_APP_ID: string;
  /** Base URL of the InstantDB API; empty means `https://api.instantdb.com` (set it for self-hosted Instant). */
  INSTANT_API_URI: string;
  /** e.g. `https://abcd.supabase.co`. */
  SUPABASE_URL: string;
  /** Secret: the project's anon (public) API key, sent as `apikey`. */
  SUPABASE_ANON_KEY: string;
}

/** The keys of the chosen algorithm are declared secrets; the rotation slots exist only during a rotation. */
interface SigningKeys {
  /** HS256: at least 32 bytes, shared with the api Worker. */
  SESSION_JWT_SECRET: string;
  /** The second HS256 slot, written by `appshell secrets --rotate SESSION_JWT_SECRET`: the newer secret signs. */
  SESSION_JWT_SECRET_NEXT: string;
  /** EdDSA: the Ed25519 private key as a JWK (JSON). */
  SESSION_JWT_PRIVATE_JWK: string;
  /** The second key slot, written by `appshell secrets --rotate SESSION_JWT_PRIVATE_JWK`: the newer key signs. */
  SESSION_JWT_PRIVATE_JWK_NEXT: string;
  /** EdDSA: public keys still trusted during a rotation, as a JWKS (`{"keys": [...]}`); the current key is always served. */
  SESSION_JWT_PUBLIC_JWKS: string;
}

/** The Hono environment of this Worker's app. */
export interface AuthShimEnv {
  Bindings: Env;
  Variables: RuntimeVariables;
}
