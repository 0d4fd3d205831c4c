import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { SigningEnv } from './lib/webhook-signature.js';

/**
 * The bindings, vars and secrets of the sender (declared in `generators/workers/sender.ts`, written into the
 * wrangler config by appshell).
 */
export interface Env extends CorsEnv, SigningEnv {
  /** The receiver in the same account (service binding): used unless `RECEIVER_URL` is set. */
  RECEIVER?: Fetcher;
  /** The receiver's base URL (`https://...`, without `/inbox`), for a receiver in another account; wins when set. */
  RECEIVER_URL?: string;
  /** First retry delay in milliseconds (doubles each time, with jitter); default 200. Tests set it lower. */
  SEND_RETRY_BASE_MS?: string;
}

export interface SenderEnv {
  Bindings: Env;
  Variables: RuntimeVariables;
}
