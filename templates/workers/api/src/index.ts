import { createApiApp } from './api-app.js';
import { verifyApiKeyCredential } from './api-key-auth.js';
import { extensions } from './extensions/index.js';

export type { Env } from './env.js';
// The app's routes for `hono/client`: `hc<ApiApp>(url)` (see app-type.ts).
export type { ApiApp } from './app-type.js';
// Durable Object classes are exported by name from the entry module (wrangler `class_name`).
export { RateLimiter } from './lib/rate-limiter.js';

const app = createApiApp({ extensions, auth: { verifyApiKey: verifyApiKeyCredential } });

export default app;
