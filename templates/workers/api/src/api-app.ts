import type { Context, Hono } from 'hono';
import { authGuard, type AuthGuardOptions } from './auth-guard.js';
import type { ApiEnv, Env } from './env.js';
import type { ExtensionRoute } from './extensions/types.js';
import { addHealthRoute, createApp } from './lib/app.js';
import { allowListCors } from './lib/cors.js';
import { ApiError } from './lib/errors.js';
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects/routes.js';
import { deleteObject, downloadObject, listObjects, signedPut, uploadObject } from './r2/routes.js';
import { imageGenerate, summarize, textGenerate } from './ai/routes.js';
import { getJob } from './jobs.js';
import { imagesDirectUpload, streamDirectUpload } from './media.js';
import { rateLimit } from './rate-limit.js';
import { builtInRoutes, type BuiltInRoute } from './route-table.js';
import { mountRoutes, type MountedRoute, type RouteHandler } from './routes/mount.js';
import { extensionRouteSpecs } from './routes/spec.js';

export interface ApiAppOptions {
  /** The extension registry (`src/extensions/index.ts`). */
  extensions: readonly ExtensionRoute[];
  auth?: AuthGuardOptions;
}

/** The handler of every built-in route, by its `id` in `route-table.ts` (a missing or extra one does not compile). */
const builtInHandlers: { [R in BuiltInRoute as R['id']]: RouteHandler<R> } = {
  listProjects,
  createProject,
  getProject,
  updateProject,
  deleteProject,
  uploadObject,
  signedPut,
  downloadObject,
  deleteObject,
  listObjects,
  textGenerate,
  summarize,
  imageGenerate,
  getJob,
  imagesDirectUpload,
  streamDirectUpload,
};

/** An extension entry as table entries: a `prefix` entry answers below its path too, through its `fetch` handler. */
export function extensionTableRoutes(entry: ExtensionRoute): MountedRoute[] {
  const path = 'prefix' in entry ? entry.prefix.replace(/\/+$/, '') : entry.path;
  const specs = extensionRouteSpecs({ ...entry, path });
  if (!('prefix' in entry)) return specs.map((spec) => ({ ...spec, handler: entry.handler }));
  const fetchHandler = entry.handler as (
    request: Request,
    env: Env,
    auth: unknown,
    ctx: Context['executionCtx'],
  ) => Response | Promise<Response>;
  return specs.map((spec) => ({
    ...spec,
    subpaths: true,
    handler: (c: Context<ApiEnv>) => fetchHandler(c.req.raw, c.env, entry.public ? null : c.get('auth'), c.executionCtx),
  }));
}

/** Every route of the API Worker but `GET /health`: the built-in table, then the extension registry. */
export function apiRoutes(extensions: readonly ExtensionRoute[]): MountedRoute[] {
  return [...builtInRoutes.map((route) => ({ ...route, handler: builtInHandlers[route.id] })), ...extensions.flatMap(extensionTableRoutes)];
}

/**
 * The API Worker's request pipeline. Hono runs middleware and routes in the order they are registered,
 * so this function is the pipeline, top to bottom:
 *
 * 1. request id + one JSON log line (from `createApp`; outermost so that preflights and refusals are
 *    logged too), then CORS with the `ALLOWED_ORIGINS` allow-list (preflights end here with 204);
 * 2. public routes: `GET /health` and `public: true` extensions (a public route with `rateLimit` counted per IP);
 * 3. the auth guard (401);
 * 4. the routes of `route-table.ts` and the extension registry, each after the same checks, in order (`mountRoutes`):
 *    the rate limit (429, `RateLimit-*` headers; per user, the route's own budget or the default one), the feature
 *    switch (`FEATURES` var: a disabled feature's routes answer 404), the roles (403) and the request's schemas
 *    (400 `bad_request` naming the field);
 * 5. 405 with `Allow` for a known path and another method; 404 for an unknown path (both rate-limited too).
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
  const routes = apiRoutes(options.extensions);
  mountRoutes(
    app,
    routes.filter((route) => route.access === 'public'),
  );
  app.use('*', authGuard(options.auth));
  mountRoutes(
    app,
    routes.filter((route) => route.access === 'session'),
  );
  app.all('*', rateLimit({ by: 'user' }), () => {
    throw new ApiError(404, 'not_found', 'No such route');
  });
  return app;
}
