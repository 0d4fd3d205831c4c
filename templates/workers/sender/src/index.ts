import type { Hono } from 'hono';
import type { SenderEnv } from './env.js';
import { addHealthRoute, createApp, route } from './lib/app.js';
import { allowListCors } from './lib/cors.js';
import { send } from './send.js';

export type { Env } from './env.js';

/** The sender: public `POST /send` for apps (CORS allow-list), signed and forwarded to the receiver. */
const app = createApp('sender') as unknown as Hono<SenderEnv>;
app.use('*', allowListCors({ allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Authorization', 'Content-Type'] }));
addHealthRoute(app, 'sender');
route(app, '/send', { POST: send });

export default app;
