// The context Hono hands its routes (waitUntil, passThroughOnException, props): workers-types 5 declares more on the
// global ExecutionContext than Hono passes through.
import type { ExecutionContext } from 'hono';
import type { Env } from '../env.js';
import type { HttpMethod } from '../lib/app.js';
import type { AuthContext } from '../lib/session-token.js';

/**
 * A handler behind the auth guard: it gets the raw request, the Worker's bindings, the verified caller and
 * the execution context, and answers with a Response (JSON, like every other route). Throw `ApiError` for
 * an error envelope; anything else thrown becomes 500 `internal`.
 *
 * @example
 * import type { ExtensionHandler } from './types.js';
 * import { ApiError } from '../lib/errors.js';
 *
 * export const invoices: ExtensionHandler = async (request, env, auth) => {
 *   const id = new URL(request.url).pathname.split('/')[3];
 *   if (!id) return Response.json({ invoices: [] });
 *   const invoice = await env.PROJECTS.get(`invoice:${auth.userId}:${id}`, 'json');
 *   if (!invoice) throw new ApiError(404, 'not_found', 'No such invoice');
 *   return Response.json({ invoice });
 * };
 */
export type ExtensionHandler = (request: Request, env: Env, auth: AuthContext, ctx: ExecutionContext) => Response | Promise<Response>;

/**
 * A handler of a `public: true` route: no token is required, so there is no caller (`auth` is `null`).
 *
 * @example
 * export const status: PublicExtensionHandler = () => Response.json({ ok: true });
 */
export type PublicExtensionHandler = (request: Request, env: Env, auth: null, ctx: ExecutionContext) => Response | Promise<Response>;

interface ExtensionRouteBase {
  /** Path the route answers, and everything below it: `/v1/invoices` covers `/v1/invoices/42`. */
  prefix: string;
  /** Methods the route answers; any other gets 405 with `Allow`. `HEAD` follows `GET`. */
  methods: readonly HttpMethod[];
}

/** A route behind the auth guard and the per-user rate limit. */
export interface ProtectedExtensionRoute extends ExtensionRouteBase {
  public?: false;
  /** The caller needs at least one of these roles (from the session's `roles` claim), else 403. */
  roles?: readonly string[];
  /** Requests per user per minute on this route, counted apart from the default budget. */
  rateLimit?: number;
  handler: ExtensionHandler;
}

/** A route anyone may call: no token, no roles. */
export interface PublicExtensionRoute extends ExtensionRouteBase {
  public: true;
  roles?: undefined;
  /** Requests per client IP per minute (no user is known on a public route). */
  rateLimit?: number;
  handler: PublicExtensionHandler;
}

/**
 * One entry of the extension registry (`src/extensions/index.ts`), the file `appshell add-route` writes.
 *
 * @example
 * import { invoices } from './invoices.js';
 * export const extensions: ExtensionRoute[] = [
 *   { prefix: '/v1/invoices', methods: ['GET', 'POST'], roles: ['billing'], rateLimit: 30, handler: invoices },
 * ];
 */
export type ExtensionRoute = ProtectedExtensionRoute | PublicExtensionRoute;
