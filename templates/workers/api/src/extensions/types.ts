// The context Hono hands its routes (waitUntil, passThroughOnException, props): workers-types 5 declares more on the
// global ExecutionContext than Hono passes through.
import type { ExecutionContext, Handler } from 'hono';
import type { ApiEnv, Env } from '../env.js';
import type { AuthContext } from '../lib/session-token.js';
import type { HttpMethod } from '../routes/spec.js';

/** `/v1/invoices/:id/lines/:line` -> `{ id: string; line: string }`. */
export type PathParams<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : // biome-ignore lint/complexity/noBannedTypes: a path without parameters has none.
      {};

/**
 * The handler of an extension route: a Hono handler on the route's path. Its path parameters are checked and typed
 * (`c.req.valid('param')`); behind the auth guard, `c.get('auth')` is the verified caller. Answer with `c.json(...)`;
 * throw `ApiError` for an error envelope; anything else thrown becomes 500 `internal`.
 *
 * @example
 * import type { PathHandler } from './types.js';
 * import { ApiError } from '../lib/errors.js';
 *
 * export const invoicesById: PathHandler<'/v1/invoices/:id'> = async (c) => {
 *   const { id } = c.req.valid('param');
 *   const invoice = await c.env.PROJECTS.get(`invoice:${c.get('auth').userId}:${id}`, 'json');
 *   if (!invoice) throw new ApiError(404, 'not_found', 'No such invoice');
 *   return c.json({ invoice });
 * };
 */
export type PathHandler<Path extends string = string> = Handler<
  ApiEnv,
  Path,
  { in: { param: PathParams<Path> }; out: { param: PathParams<Path> } }
>;

/** The handler of a `public: true` route: the same, without a caller (`c.get('auth')` is not set). */
export type PublicPathHandler<Path extends string = string> = PathHandler<Path>;

/**
 * A handler written before route tables (`appshell.json` `handlerStyle: "fetch"`; the name it has always had): the raw
 * request, the bindings, the verified caller and the execution context. It answers its path and every path below it.
 * Rewrite it as a `PathHandler` and drop `handlerStyle` to get typed path parameters.
 */
export type ExtensionHandler = (request: Request, env: Env, auth: AuthContext, ctx: ExecutionContext) => Response | Promise<Response>;
/** A `fetch`-style handler of a public route: no caller (`auth` is `null`). */
export type PublicExtensionHandler = (request: Request, env: Env, auth: null, ctx: ExecutionContext) => Response | Promise<Response>;

interface ExtensionRouteOptions {
  /** Methods the route answers; any other gets 405 with `Allow`. `HEAD` follows `GET`. */
  methods: readonly HttpMethod[];
  /** Shown in `openapi.json`. */
  description?: string;
}

/** A route behind the auth guard and the per-user rate limit. */
interface ProtectedOptions extends ExtensionRouteOptions {
  public?: false;
  /** The caller needs at least one of these roles (from the session's `roles` claim), else 403. */
  roles?: readonly string[];
  /** Requests per user per minute on this route, counted apart from the default budget. */
  rateLimit?: number;
}

/** A route anyone may call: no token, no roles. */
interface PublicOptions extends ExtensionRouteOptions {
  public: true;
  roles?: undefined;
  /** Requests per client IP per minute (no user is known on a public route); absent: not counted. */
  rateLimit?: number;
}

/** A route on its Hono path (`/v1/invoices/:id`), answering that path only. */
export type PathExtensionRoute = (ProtectedOptions | PublicOptions) & {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: each handler is typed by its own path (`PathHandler<'/v1/...'>`).
  handler: PathHandler<any>;
};

/** A route from before route tables: `prefix` and every path below it, a `fetch`-style handler. */
export type PrefixExtensionRoute =
  | (ProtectedOptions & { prefix: string; handler: ExtensionHandler })
  | (PublicOptions & { prefix: string; handler: PublicExtensionHandler });

/**
 * One entry of the extension registry (`src/extensions/index.ts`), the file `appshell add-route` writes.
 *
 * @example
 * import { invoicesById } from './invoices-by-id.js';
 * export const extensions: ExtensionRoute[] = [
 *   { path: '/v1/invoices/:id', methods: ['GET', 'PATCH'], roles: ['billing'], rateLimit: 30, handler: invoicesById },
 * ];
 */
export type ExtensionRoute = PathExtensionRoute | PrefixExtensionRoute;
