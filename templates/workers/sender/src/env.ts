import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { SigningEnv } from './lib/webhook-signature.js';

/**
 * The bindings, vars and secrets of the sender (declared in `generators/workers/sender.ts`, written into the
 * wrangler config by appshell).
 */
export interface Env extends CorsEnv, SigningEnv {
  /** The receiver in the same account (service binding); used when present. */
  RECEIVER?: Fetcher;
  /** The receiver's base URL, when it is not in the same account. */
  RECEIVER_URL?: string;
  /** First retry delay in milliseconds (doubles each time); default 200. */
  SEND_RETRY_BASE_MS?: string;
}

export interface SenderEnv {
  Bindings: Env;
  Variables: RuntimeVariables;
}
