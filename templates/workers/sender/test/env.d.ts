import type { Env as WorkerEnv } from '../src/index.js';

// `env` from `cloudflare:test` carries this Worker's bindings.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
