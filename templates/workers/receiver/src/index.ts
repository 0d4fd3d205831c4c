import type { Hono } from 'hono';
import { actions } from './actions/index.js';
import type { ReceiverEnv } from './env.js';
import { inboxHandler } from './inbox.js';
import { addHealthRoute, createApp, route } from './lib/app.js';
import { requireSignedRequest } from './signed-request.js';

export type { Env } from './env.js';
// Durable Object classes are exported by name from the entry module (wrangler `class_name`).
export { ReplayGuard } from './replay-guard.js';

/**
 * The receiver: `GET /health`, and `POST /inbox` for requests signed by the sender (Standard Webhooks):
 * signature and one-time id (middleware), then the end user when the action needs one, then the action.
 * It is not called by browsers, so it sends no CORS headers.
 */
const app = createApp('receiver') as unknown as Hono<ReceiverEnv>;
// No CORS here, so nothing answers OPTIONS: it is a 405 like any other method, and `Allow` does not offer it.
const noPreflight = { preflight: false };
addHealthRoute(app, 'receiver', noPreflight);
app.on('POST', '/inbox', requireSignedRequest());
route(app, '/inbox', { POST: inboxHandler(actions) }, noPreflight);

export default app;
