import { addHealthRoute, createApp } from './lib/app.js';

/** The bindings and vars this Worker reads (declared per module, see `wrangler types`). */
export interface Env {
  ALLOWED_ORIGINS?: string;
}

const app = createApp<Env>('api');
addHealthRoute(app, 'api');

export default app;
