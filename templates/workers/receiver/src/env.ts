import type { ApiKeysEnv } from './lib/api-keys.js';
import type { RuntimeVariables } from './lib/log.js';
import type { SessionTokenEnv } from './lib/session-token.js';
import type { SigningEnv } from './lib/webhook-signature.js';
import type { ReplayGuard } from './replay-guard.js';

/**
 * The bindings, vars and secrets of the receiver (declared in `generators/workers/receiver.ts`, written into
 * the wrangler config by appshell).
 */
export interface Env extends SessionTokenEnv, ApiKeysEnv, SigningEnv {
  /** One Durable Object per `webhook-id` seen inside the tolerance window, and per API key slot of a user. */
  REPLAY_GUARD: DurableObjectNamespace<ReplayGuard>;
  /** `apiKeys` of appshell.json: the tiers a user may ask for (comma list), default and longest key lifetime in
   * days, keys per user. */
  API_KEY_TIERS?: string;
  API_KEY_TTL_DAYS?: string;
  API_KEY_MAX_TTL_DAYS?: string;
  API_KEYS_PER_USER?: string;
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
