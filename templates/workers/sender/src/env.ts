import type { CorsEnv } from './lib/cors.js';
import type { RuntimeVariables } from './lib/log.js';
import type { SigningEnv } from './lib/webhook-signature.js';

/**
 * The bindings, vars and secrets of the sender: `Cloudflare.Env` is what `wrangler types` reads from
 * wrangler.{jsonc,toml} and .dev.vars.example (worker-configuration.d.ts, written by `npm run types`; `npm run
 * typecheck` fails when it no longer matches the config). Each runtime module declares the settings it reads, so
 * what a config may leave out (a rotation slot, an optional var) stays optional; the rest below is what wrangler
 * cannot know from this project's config alone.
 */
export type Env = Cloudflare.Env & CorsEnv & SigningEnv & Partial<ReceiverSettings>;

interface ReceiverSettings {
  /** The receiver in the same account (service binding): used unless `RECEIVER_URL` is set; absent without one. */
  RECEIVER: Fetcher;
  /** The receiver's base URL (`https://...`, without `/inbox`), for a receiver in another account; wins when set. */
  RECEIVER_URL: string;
  /** First retry delay in milliseconds (doubles each time, with jitter); default 200. Tests set it lower. */
  SEND_RETRY_BASE_MS: string;
}

export interface SenderEnv {
  Bindings: Env;
  Variables: RuntimeVariables;
}
