import { bruteForceGuard } from './brute-force-guard.js';
import type { Env } from './env.js';
import { addHealthRoute, createApp, route } from './lib/app.js';
import { allowListCors } from './lib/cors.js';
import { createSession, serveJwks } from './session-route.js';

export type { Env } from './env.js';
/** The Durable Object class behind the per-IP brute-force guard (binding `RATE_LIMITER`). */
export { RateLimiter } from './lib/rate-limiter.js';

/**
 * The auth shim: `POST /auth/session` turns an identity-provider token into a short-lived session JWT;
 * `GET /.well-known/jwks.json` publishes the EdDSA public keys; `GET /health`.
 */
const app = createApp<Env>('auth-shim');
app.use('*', allowListCors({ allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['Content-Type'] }));
addHealthRoute(app, 'auth-shim');
app.post('/auth/session', bruteForceGuard());
route(app, '/auth/session', { POST: createSession });
route(app, '/.well-known/jwks.json', { GET: serveJwks });

export default app;
