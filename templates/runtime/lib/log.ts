import type { MiddlewareHandler } from 'hono';

/** The variables the runtime middleware share through `c.get` / `c.set`. */
export interface RuntimeVariables {
  requestId: string;
  /** Set by the auth guard once a caller is known; logged, never a token. */
  userId?: string;
  /** An internal reason for a refusal or failure: logged, never sent to the client. */
  errorDetail?: string;
}

/** One structured log line per request. Only these fields are written: no headers, no query, no body. */
export interface RequestLogLine {
  level: 'info' | 'warn' | 'error';
  service: string;
  request_id: string;
  method: string;
  route: string;
  path: string;
  status: number;
  duration_ms: number;
  user_id?: string;
  detail?: string;
}

/**
 * Gives every request an id (`X-Request-Id` on the response) and writes one JSON log line when it ends.
 * The path is logged without its query string, so tokens passed as parameters never reach the log.
 */
export function requestLog(service: string): MiddlewareHandler<{ Variables: RuntimeVariables }> {
  return async function requestLogMiddleware(c, next) {
    const started = Date.now();
    // `cf-ray` is set by Cloudflare's edge on every request it passes to a deployed Worker (a client's own value
    // does not survive it), so there it is the id Cloudflare's logs know the request by. In local development a
    // client can send any `cf-ray`; that only changes its own log line and `X-Request-Id`, nothing that is trusted.
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('X-Request-Id', requestId);
    const status = c.res.status;
    const line: RequestLogLine = {
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      service,
      request_id: requestId,
      method: c.req.method,
      route: c.req.routePath,
      path: new URL(c.req.url).pathname,
      status,
      duration_ms: Date.now() - started,
      ...(c.get('userId') ? { user_id: c.get('userId') } : {}),
      ...(c.get('errorDetail') ? { detail: c.get('errorDetail') } : {}),
    };
    console.log(JSON.stringify(line));
  };
}
