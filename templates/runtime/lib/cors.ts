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
  let cachedOrigins = new Set<string>();
  return async function allowListCorsMiddleware(c, next) {
    if (c.env?.ALLOWED_ORIGINS !== cachedValue) {
      cachedValue = c.env?.ALLOWED_ORIGINS;
      cachedOrigins = parseAllowedOrigins(cachedValue);
    }
    const origins = cachedOrigins;
    // An origin outside the list gets no CORS headers at all (Hono's cors would still send the allowed
    // methods and headers on a preflight); the browser then refuses the cross-origin call.
    const origin = c.req.header('origin');
    if (origin !== undefined && !origins.has(origin)) {
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
        return new Response(null, { status: 204, headers: { Vary: 'Origin' } });
      }
      await next();
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    const handler = cors({
      origin: (origin) => (origins.has(origin) ? origin : null),
      allowMethods: options.allowMethods,
      allowHeaders: options.allowHeaders,
      exposeHeaders: options.exposeHeaders ?? ['X-Request-Id'],
      maxAge: options.maxAgeSeconds ?? 600,
      credentials: false,
    });
    return handler(c, next);
  };
}
