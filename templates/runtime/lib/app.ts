import { Hono, type Env, type Handler } from 'hono';
import { ApiError, renderError } from './errors.js';
import { requestLog, type RuntimeVariables } from './log.js';

/** What every generated Worker's Hono app knows about its context. */
export interface RuntimeEnv<Bindings extends object = object> extends Env {
  Bindings: Bindings;
  Variables: RuntimeVariables;
}

/**
 * A Hono app with the runtime every Worker shares: request id and log line, `GET /health`, the JSON
 * error envelope for every error, 404 for unknown paths.
 *
 * @example
 * const app = createApp<{ ALLOWED_ORIGINS?: string }>('sender');
 * app.post('/send', handler);
 * export default app;
 */
export function createApp<Bindings extends object = object>(service: string): Hono<RuntimeEnv<Bindings>> {
  const app = new Hono<RuntimeEnv<Bindings>>();
  app.use('*', requestLog(service));
  app.onError(renderError);
  app.notFound(() => {
    throw new ApiError(404, 'not_found', 'No such route');
  });
  return app;
}

/** How `route` answers methods it has no handler for. */
export interface RouteOptions {
  /**
   * Whether CORS middleware answers `OPTIONS` on this Worker (default true), so `Allow` lists it. A Worker that no
   * browser calls (the receiver) has none: `OPTIONS` is then a 405 like any other method, and `Allow` says so.
   */
  preflight?: boolean;
}

/** Adds `GET /health` (no auth) answering `{"ok": true, "service": "<worker>"}`. */
export function addHealthRoute<E extends Env>(app: Hono<E>, service: string, options: RouteOptions = {}): void {
  route(app, '/health', { GET: (c) => c.json({ ok: true, service }) }, options);
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Registers one path with a handler per method; any other method gets 405 with an `Allow` header
 * (Hono alone would answer 404). `HEAD` follows `GET`, `OPTIONS` is left to CORS (see `RouteOptions`).
 */
export function route<E extends Env>(
  app: Hono<E>,
  path: string,
  handlers: Partial<Record<HttpMethod, Handler<E>>>,
  options: RouteOptions = {},
): void {
  const methods = Object.keys(handlers) as HttpMethod[];
  for (const method of methods) app.on(method, path, handlers[method] as Handler<E>);
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), ...(options.preflight === false ? [] : ['OPTIONS'])].join(', ');
  app.all(path, () => {
    throw new ApiError(405, 'method_not_allowed', `Allowed methods: ${allow}`, { Allow: allow });
  });
}
