import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** The bindings this module reads. */
export interface CorsEnv {
  /** Comma-separated list of exact origins, per environment, e.g. `https://app.example.com,http://localhost:5173`. */
  ALLOWED_ORIGINS?: string;
}

export interface AllowListCorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

/** Splits the `ALLOWED_ORIGINS` var into exact origins; `*` is never honoured. */
export function parseAllowedOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const entry of (value ?? '').split(',')) {
    const origin = entry.trim().replace(/\/+$/, '');
    if (origin && origin !== '*') origins.add(origin);
  }
  return origins;
}

/**
 * CORS with an explicit allow-list read from the environment. Hono's `cors` does the header work
 * (preflight answered with 204); an origin outside the list gets no `Access-Control-Allow-Origin` at all.
 */
export function allowListCors(options: AllowListCorsOptions): MiddlewareHandler<{ Bindings: CorsEnv }> {
  let cachedValue: string | undefined;
  let origins = new Set<string>();
  let handler: MiddlewareHandler | undefined;
  /** Hono's cors for the current list: built once per `ALLOWED_ORIGINS` value, not once per request. */
  const corsFor = (value: string | undefined): MiddlewareHandler => {
    if (handler === undefined || value !== cachedValue) {
      cachedValue = value;
      const allowed = parseAllowedOrigins(value);
      origins = allowed;
      handler = cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: options.allowMethods,
        allowHeaders: options.allowHeaders,
        exposeHeaders: options.exposeHeaders ?? ['X-Request-Id'],
        maxAge: options.maxAgeSeconds ?? 600,
        credentials: false,
      });
    }
    return handler;
  };
  return async function allowListCorsMiddleware(c, next) {
    const handle = corsFor(c.env?.ALLOWED_ORIGINS);
    const origin = c.req.header('origin');
    // No Origin: not a browser's cross-origin call, so there are no CORS headers to send (a browser sends Origin on
    // every cross-origin request). Only Vary, so that a cache never serves this answer to a page. OPTIONS still goes
    // to Hono's cors below, which answers it.
    if (origin === undefined && c.req.method !== 'OPTIONS') {
      await next();
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    // An origin outside the list gets no CORS headers at all (Hono's cors would still send the allowed
    // methods and headers on a preflight); the browser then refuses the cross-origin call.
    if (origin !== undefined && !origins.has(origin)) {
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
        return new Response(null, { status: 204, headers: { Vary: 'Origin' } });
      }
      await next();
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    return handle(c, next);
  };
}
