import * as z from 'zod/mini';

// What one route of the API Worker is, as data: the Worker mounts, checks and limits its routes from these entries
// (`api-app.ts`), and appshell writes `openapi.json` from the same entries. This module imports nothing of the
// Worker's runtime, so that both can read it.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A schema of this table: zod/mini, so that the Worker validates with it and `z.toJSONSchema` documents it. */
export type Schema = z.ZodMiniType;

/** The parts of a request a route validates before its handler runs; `c.req.valid(...)` then returns them typed. */
export interface RouteRequest {
  /** Path parameters (`:id` of `/v1/projects/:id`); strings. */
  param?: z.ZodMiniObject;
  /** Query parameters; strings (a number is a string checked by `intQuery`). */
  query?: z.ZodMiniObject;
  /** A JSON object body, read up to `bodyLimit` bytes. */
  json?: Schema;
  /** The JSON body may be left out (no `Content-Type`): the handler then sees `{}`. */
  jsonOptional?: boolean;
  /** Most bytes of the JSON body read (413 `too_large` above). */
  bodyLimit?: number;
  /** A body the handler reads itself (an upload's bytes, an extension's JSON): documented, not validated here. */
  ownBody?: 'binary' | 'json';
}

/** One answer of a route: its description and body (a schema, `'binary'` for bytes, or none). */
export interface RouteResponse {
  description: string;
  schema?: Schema | 'binary';
}

export interface RouteSpec {
  /** The handler's name in the Worker's handler map (`api-app.ts`). */
  id: string;
  method: HttpMethod;
  /** The Hono path, `:name` for a parameter: `/v1/projects/:id`. */
  path: string;
  summary: string;
  /** `public`: anyone; `session`: a session JWT or an API key (401 without one). */
  access: 'public' | 'session';
  /** The caller needs one of these roles (the session's `roles` claim), else 403 `forbidden`. */
  roles?: readonly string[];
  /**
   * Requests per minute with a budget of its own (per user, or per client IP on a public route). Absent: a session
   * route counts against the default budget (`RATE_LIMIT_PER_MINUTE`), a public route is not counted.
   */
  rateLimit?: number;
  /** The init feature the route belongs to; while the feature is off (`FEATURES` var) the route answers 404. */
  feature?: 'ai' | 'images' | 'stream';
  request?: RouteRequest;
  /** The success answers by status. */
  responses: Readonly<Record<number, RouteResponse>>;
  /** The error statuses the route may answer, each with the error envelope. */
  errors: readonly number[];
}

/** Names a schema in the OpenAPI document (`#/components/schemas/<id>`). */
export function named<T extends Schema>(id: string, schema: T): T {
  z.globalRegistry.add(schema, { id });
  return schema;
}

/** Adds a description (and, for a query string that stands for a number, its JSON Schema type) to the document. */
export function described<T extends Schema>(schema: T, description: string | undefined, jsonSchema: Record<string, unknown> = {}): T {
  z.globalRegistry.add(schema, { ...(description ? { description } : {}), ...jsonSchema });
  return schema;
}

/** A whole number in an answer (documented as `integer`, without the safe-integer bounds of `z.int()`). */
export const integer = () => described(z.number(), undefined, { type: 'integer' });

/**
 * A query parameter holding a whole number from `min` to `max` (query values are strings; the handler converts);
 * `missing` is the message when a required one is absent.
 */
export function intQuery(min: number, max: number, description?: string, missing?: string) {
  const schema = z
    .string(missing ? { error: missing } : undefined)
    .check(
      z.refine(
        (text) => /^\d{1,16}$/.test(text) && Number(text) >= min && Number(text) <= max,
        `must be a whole number from ${min} to ${max}`,
      ),
    );
  return described(schema, description, { type: 'integer', minimum: min, maximum: max });
}

/** The path parameters of a Hono path, each a string: `/v1/invoices/:id` -> `{ id: string }`. */
export function paramSchema(path: string): z.ZodMiniObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z][A-Za-z0-9]*)/g)].map((match) => match[1]!);
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((name) => [name, z.string().check(z.minLength(1))])));
}

/** Any JSON object: the body of an extension route whose schema its handler owns. */
export const anyObject = z.record(z.string(), z.unknown());

/** What `appshell.json` says of one extension route (its `routes` entry). */
export interface ExtensionRouteEntry {
  path: string;
  methods: readonly HttpMethod[];
  public?: boolean;
  roles?: readonly string[];
  rateLimit?: number;
  description?: string;
}

/** `GET /v1/projects/:id` -> `getV1ProjectsId`: a route's OpenAPI `operationId`. */
export function operationId(method: HttpMethod, path: string): string {
  return `${method.toLowerCase()}${path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, next?: string) => (next ? next.toUpperCase() : ''))}`;
}

/** The entries of one extension route, one per method: the same for the Worker and for `openapi.json`. */
export function extensionRouteSpecs(entry: ExtensionRouteEntry): RouteSpec[] {
  const param = paramSchema(entry.path);
  return entry.methods.map((method) => ({
    id: operationId(method, entry.path),
    method,
    path: entry.path,
    summary: entry.description ?? `Extension route ${entry.path}`,
    access: entry.public ? 'public' : 'session',
    ...(entry.roles && entry.roles.length > 0 ? { roles: entry.roles } : {}),
    ...(entry.rateLimit !== undefined ? { rateLimit: entry.rateLimit } : {}),
    request: {
      ...(param ? { param } : {}),
      // The body is the handler's to read and check (`readJsonObject`, or `request.json()` in a `fetch` handler).
      ...(['POST', 'PUT', 'PATCH'].includes(method) ? { ownBody: 'json' as const } : {}),
    },
    responses: { 200: { description: 'Answer of the extension handler', schema: anyObject } },
    errors: [
      ...(entry.public ? [] : [401]),
      ...(entry.roles && entry.roles.length > 0 ? [403] : []),
      ...(entry.rateLimit !== undefined || !entry.public ? [429] : []),
    ],
  }));
}
