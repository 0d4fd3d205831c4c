import type { Hono } from 'hono';
import { authGuard, type AuthGuardOptions } from './auth-guard.js';
import type { ApiEnv, Env } from './env.js';
import { extensionRateLimitGroups, mountProtectedExtensions, mountPublicExtensions } from './extension-routes.js';
import type { ExtensionRoute } from './extensions/types.js';
import { addHealthRoute, createApp } from './lib/app.js';
import { allowListCors } from './lib/cors.js';
import { mountProjectRoutes } from './projects/routes.js';
import { mountR2Routes } from './r2/routes.js';
import { mountAiRoutes } from './ai/routes.js';
import { mountJobRoutes } from './jobs.js';
import { mountMediaRoutes } from './media.js';
import { userRateLimit, type RateLimitGroup } from './rate-limit.js';

export interface ApiAppOptions {
  /** The extension registry (`src/extensions/index.ts`). */
  extensions: readonly ExtensionRoute[];
  auth?: AuthGuardOptions;
  /** Per-user limits of built-in route groups, apart from `RATE_LIMIT_PER_MINUTE`. */
  rateLimitGroups?: readonly RateLimitGroup[];
}

/**
 * The API Worker's request pipeline. Hono runs middleware and routes in the order they are registered,
 * so this function is the pipeline, top to bottom:
 *
 * 1. request id + one JSON log line (from `createApp`; outermost so that preflights and refusals are
 *    logged too), then CORS with the `ALLOWED_ORIGINS` allow-list (preflights end here with 204);
 * 2. public routes: `GET /health` and `public: true` extensions;
 * 3. auth guard (401), then the per-user rate limiter (429, `RateLimit-*` headers);
 * 4. built-in route groups (`/v1/projects`, `/v1/r2`, and with their features (`FEATURES` var) `/v1/ai` and
 *    `/v1/jobs` (ai), `/v1/images` (images), `/v1/stream` (stream); a disabled feature's routes answer 404);
 * 5. extension routes, roles checked per entry (403);
 * 6. 404 for an unknown path, 405 with `Allow` for a known path and another method.
 *
 * Any other exception becomes 500 `internal` with the request id (`renderError`); no stack trace leaves.
 *
 * @example
 * export default createApiApp({ extensions });
 */
export function createApiApp(options: ApiAppOptions): Hono<ApiEnv> {
  // `createApp` types only the shared variables; this Worker adds `auth` (set by the guard).
  const app = createApp<Env>('api') as unknown as Hono<ApiEnv>;
  app.use(
    '*',
    allowListCors({
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      // Range and If-None-Match for object downloads; ETag, Content-Range and friends so a page can read them.
      allowHeaders: ['Authorization', 'Content-Type', 'Range', 'If-None-Match'],
      exposeHeaders: [
        'X-Request-Id',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'Retry-After',
        'WWW-Authenticate',
        'ETag',
        'Content-Range',
        'Content-Length',
        'Accept-Ranges',
        'Last-Modified',
      ],
    }),
  );

  addHealthRoute(app, 'api');
  mountPublicExtensions(app, options.extensions);

  app.use(
    '*',
    authGuard(options.auth),
    userRateLimit({ groups: [...(options.rateLimitGroups ?? []), ...extensionRateLimitGroups(options.extensions)] }),
  );

  mountProjectRoutes(app);
  mountR2Routes(app);
  mountAiRoutes(app);
  mountJobRoutes(app);
  mountMediaRoutes(app);
  mountProtectedExtensions(app, options.extensions);
  return app;
}
