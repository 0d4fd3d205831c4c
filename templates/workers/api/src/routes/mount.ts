import type { Handler, Hono, MiddlewareHandler } from 'hono';
import type * as z from 'zod/mini';
import type { ApiEnv } from '../env.js';
import { requireRoles } from '../auth-guard.js';
import { requireFeature } from '../features.js';
import { ApiError } from '../lib/errors.js';
import { readJsonObject } from '../lib/json-body.js';
import { rateLimit } from '../rate-limit.js';
import type { BuiltInRoute } from '../route-table.js';
import type { RouteRequest, RouteSpec } from './spec.js';

type OutputOf<S> = S extends z.ZodMiniType ? z.output<S> : never;
type InputOf<S> = S extends z.ZodMiniType ? z.input<S> : never;
type Parts<R> = {
  [K in keyof R as K extends 'param' | 'query' | 'json' ? (R[K] extends z.ZodMiniType ? K : never) : never]: R[K];
};

/** What the request checks of a route hand its handler: `c.req.valid('param' | 'query' | 'json')`, typed. */
export type ValidatedInput<R extends RouteRequest | undefined> = R extends RouteRequest
  ? { in: { [K in keyof Parts<R>]: InputOf<Parts<R>[K]> }; out: { [K in keyof Parts<R>]: OutputOf<Parts<R>[K]> } }
  : // biome-ignore lint/complexity/noBannedTypes: Hono's own "no input" is the empty object type.
    {};

/** The handler of one table entry: a Hono handler on the entry's path, with its request checked. */
export type RouteHandler<S extends Pick<RouteSpec, 'path' | 'request'>> = Handler<ApiEnv, S['path'], ValidatedInput<S['request']>>;

/** A table entry with its handler, ready to mount. */
export type MountedRoute = RouteSpec & {
  // biome-ignore lint/suspicious/noExplicitAny: each entry's handler is typed by its own entry (`RouteHandler`).
  handler: Handler<ApiEnv, any, any>;
  /** Also answer every path below `path` (routes registered before route tables: `prefix` entries). */
  subpaths?: boolean;
};

/** The first problem of a schema check, in words that name the field. */
function problem(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0]!;
  const field = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field ${JSON.stringify(issue.keys[0]!.slice(0, 40))}`;
  let message = issue.message;
  if (message === 'Invalid input') {
    if (issue.code === 'invalid_type') message = issue.input === undefined ? 'is required' : `must be a ${issue.expected}`;
    else if (issue.code === 'too_small') message = `must be at least ${issue.minimum}`;
    else if (issue.code === 'too_big') message = `must be at most ${issue.maximum}`;
    else message = 'is not valid';
  }
  return field ? `${field} ${message}` : message;
}

function check(schema: z.ZodMiniType, value: unknown): object {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ApiError(400, 'bad_request', problem(result.error.issues));
  return result.data as object;
}

/**
 * Checks the path parameters, query and JSON body a route declares, before its handler runs: a violation is 400
 * `bad_request` naming the field; a body that is not JSON is 415 / 400 `invalid_json`, one over the limit 413.
 */
function validateRequest(request: RouteRequest): MiddlewareHandler<ApiEnv> {
  const { param, query, json } = request;
  return async function validateRequestMiddleware(c, next) {
    if (param) c.req.addValidatedData('param', check(param, c.req.param()));
    if (query) c.req.addValidatedData('query', check(query, c.req.query()));
    if (json) {
      const absent = request.jsonOptional === true && !c.req.header('Content-Type');
      c.req.addValidatedData('json', check(json, absent ? {} : await readJsonObject(c, request.bodyLimit ?? 16 * 1024)));
    }
    await next();
  };
}

/** What runs before a route's handler, in order: its rate limit, its feature switch, its roles, its request checks. */
function guards(route: Pick<RouteSpec, 'access' | 'rateLimit' | 'feature' | 'roles' | 'path'>): MiddlewareHandler<ApiEnv>[] {
  const chain: MiddlewareHandler<ApiEnv>[] = [];
  if (route.access === 'session') {
    chain.push(rateLimit({ by: 'user', ...(route.rateLimit !== undefined ? { perMinute: route.rateLimit, group: route.path } : {}) }));
  } else if (route.rateLimit !== undefined) {
    chain.push(rateLimit({ by: 'ip', perMinute: route.rateLimit, group: route.path }));
  }
  if (route.feature) chain.push(requireFeature(route.feature));
  if (route.roles && route.roles.length > 0) chain.push(requireRoles(route.roles, route.path));
  return chain;
}

/**
 * Registers the routes, each path's methods together. Another method on a known path is 405 with `Allow` (Hono alone
 * would answer 404), after the same rate limit and feature switch as its methods. `HEAD` follows `GET`; `OPTIONS` is
 * CORS's (the preflight ends there).
 */
export function mountRoutes(app: Hono<ApiEnv>, routes: readonly MountedRoute[]): void {
  const byPath = new Map<string, MountedRoute[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, entries] of byPath) {
    const paths = entries.some((entry) => entry.subpaths) ? [path, `${path.replace(/\/+$/, '')}/*`] : [path];
    for (const entry of entries) {
      const chain: Handler<ApiEnv>[] = [...guards(entry), ...(entry.request ? [validateRequest(entry.request)] : []), entry.handler];
      for (const at of paths) app.on(entry.method, at, ...(chain as [Handler<ApiEnv>]));
    }
    const methods = entries.map((entry) => entry.method);
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    for (const at of paths) {
      const refuse: Handler<ApiEnv> = () => {
        throw new ApiError(405, 'method_not_allowed', `Allowed methods: ${allow}`, { Allow: allow });
      };
      app.all(at, ...([...guards({ ...entries[0]!, roles: [] }), refuse] as [Handler<ApiEnv>]));
    }
  }
}

/** The handler type of the built-in route `id` of `route-table.ts`. */
export type BuiltInHandler<Id extends BuiltInRoute['id']> = RouteHandler<Extract<BuiltInRoute, { id: Id }>>;
