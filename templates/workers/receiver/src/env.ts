import type { ApiKeysEnv } from './lib/api-keys.js';
import type { RuntimeVariables } from './lib/log.js';
import type { SessionTokenEnv } from './lib/session-token.js';
import type { SigningEnv } from './lib/webhook-signature.js';

/**
 * The bindings, vars and secrets of the receiver: `Cloudflare.Env` is what `wrangler types` reads from
 * wrangler.{jsonc,toml} and .dev.vars.example (worker-configuration.d.ts, written by `npm run types`; `npm run
 * typecheck` fails when it no longer matches the config). Each runtime module declares the settings it reads, so
 * what a config may leave out (a rotation slot, an optional var) stays optional; the rest below is what wrangler
 * cannot know from this project's config alone.
 */
export type Env = Cloudflare.Env & SessionTokenEnv & ApiKeysEnv & SigningEnv & Partial<ApiKeyPolicySettings>;

/** `apiKeys` of appshell.json: the tiers a user may ask for (comma list), default and longest key lifetime in
 * days, keys per user. Written into the config; optional here so an edited config falls back to the defaults. */
interface ApiKeyPolicySettings {
  API_KEY_TIERS: string;
  API_KEY_TTL_DAYS: string;
  API_KEY_MAX_TTL_DAYS: string;
  API_KEYS_PER_USER: string;
}

/** A request whose signature and one-time id were checked (set by `requireSignedRequest`). */
export interface VerifiedWebhook {
  id: string;
  timestamp: number;
  /** The body exactly as signed. */
  body: Uint8Array;
  /** Forgets the id again: only for a failure before any action ran, so that the sender's retry can pass. */
  release: () => Promise<void>;
}

export interface ReceiverEnv {
  Bindings: Env;
  Variables: RuntimeVariables & { webhook: VerifiedWebhook };
}
