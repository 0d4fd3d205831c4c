import * as z from 'zod/mini';
import { builtInRoutes, healthRoute } from '../templates/workers/api/src/route-table.js';
import { extensionRouteSpecs, type RouteResponse, type RouteSpec } from '../templates/workers/api/src/routes/spec.js';
import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';

// The operations of the OpenAPI document, Worker by Worker, as data; openapi.ts turns them into the document.

export type Schema = Record<string, unknown>;
export type Security = 'session' | 'none';

export interface Operation {
  worker: WorkerName;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
  path: string;
  summary: string;
  security: Security;
  /** JSON request body, or 'binary' for a raw upload. */
  body?: Schema | 'binary';
  bodyOptional?: boolean;
  query?: { name: string; required?: boolean; schema: Schema; description?: string }[];
  /** Success status and body; 'binary' for a download. */
  ok: { status: number; schema: Schema | 'binary'; description: string };
  /** Other success answers (206, 304, ...), as OpenAPI response objects. */
  more?: Record<number, Schema>;
  errors: number[];
  roles?: string[];
}

export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const stringSchema = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const integerSchema = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const objectSchema = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});

export const binaryContent = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };

export function authShimOperations(manifest: ProjectManifest): Operation[] {
  const field = manifest.identity.provider === 'supabase' ? 'access_token' : 'refresh_token';
  const operations: Operation[] = [
    {
      worker: 'auth-shim',
      method: 'post',
      path: '/auth/session',
      summary: `Exchange a ${manifest.identity.provider === 'supabase' ? 'Supabase access token' : 'InstantDB refresh token'} for a session JWT`,
      security: 'none',
      body: objectSchema({ [field]: stringSchema() }),
      ok: { status: 200, schema: schemaRef('Session'), description: 'A session JWT' },
      errors: [400, 401, 413, 429, 502],
    },
  ];
  if (manifest.session.alg === 'EdDSA') {
    operations.push({
      worker: 'auth-shim',
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'Public keys that verify session JWTs',
      security: 'none',
      ok: { status: 200, schema: objectSchema({ keys: { type: 'array', items: { type: 'object' } } }), description: 'JWKS' },
      errors: [],
    });
  }
  return operations;
}

/**
 * A zod/mini schema of a route table as JSON Schema; its named parts go to `components` (`#/components/schemas/<id>`).
 * Answers are documented as inputs too, so that no `additionalProperties: false` forbids a field a later version adds.
 */
function jsonSchema(schema: z.ZodMiniType, io: 'input', components: Record<string, Schema>): Schema {
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema & { $defs?: Record<string, Schema> };
  const relink = (value: Schema): Schema => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = relink(definition);
  return relink(rest);
}

/** One entry of a Worker's route table (`templates/workers/<worker>/src/route-table.ts`) as an operation. */
export function routeOperation(worker: WorkerName, route: RouteSpec, components: Record<string, Schema>): Operation {
  const [ok, ...more] = Object.entries(route.responses).map(([status, response]) => ({ status: Number(status), ...response }));
  const content = (schema: RouteResponse['schema']) =>
    schema === undefined ? undefined : schema === 'binary' ? 'binary' : jsonSchema(schema, 'input', components);
  const request = route.request ?? {};
  const query = request.query
    ? (jsonSchema(request.query, 'input', components) as { properties?: Record<string, Schema>; required?: string[] })
    : {};
  return {
    worker,
    method: route.method.toLowerCase() as Operation['method'],
    path: route.path.replace(/:([a-zA-Z0-9]+)/g, '{$1}'),
    summary: route.summary,
    security: route.access === 'session' ? 'session' : 'none',
    ...(request.json
      ? { body: jsonSchema(request.json, 'input', components), ...(request.jsonOptional ? { bodyOptional: true } : {}) }
      : {}),
    ...(request.ownBody === 'binary' ? { body: 'binary' as const } : request.ownBody === 'json' ? { body: { type: 'object' } } : {}),
    ...(query.properties
      ? {
          query: Object.entries(query.properties).map(([name, { description, ...schema }]) => ({
            name,
            required: query.required?.includes(name) ?? false,
            schema,
            ...(typeof description === 'string' && description ? { description } : {}),
          })),
        }
      : {}),
    ok: { status: ok!.status, schema: content(ok!.schema) ?? {}, description: ok!.description },
    ...(more.length > 0
      ? {
          more: Object.fromEntries(
            more.map(({ status, description, schema }) => {
              const body = content(schema);
              return [
                status,
                {
                  description,
                  ...(body === undefined ? {} : { content: body === 'binary' ? binaryContent : { 'application/json': { schema: body } } }),
                },
              ];
            }),
          ),
        }
      : {}),
    errors: [...route.errors],
    ...(route.roles && route.roles.length > 0 ? { roles: [...route.roles] } : {}),
  };
}

/** The api Worker's table as `appshell.json` makes it: the built-in routes of its features, then the extensions. */
export function apiRouteTable(manifest: ProjectManifest): RouteSpec[] {
  return [
    healthRoute,
    ...builtInRoutes.filter((route: RouteSpec) => route.feature === undefined || manifest.features.includes(route.feature)),
    ...manifest.routes.flatMap((route) => extensionRouteSpecs(route)),
  ];
}

export function senderOperations(manifest: ProjectManifest): Operation[] {
  const actionNames = manifest.actions.map((action) => action.name);
  return [
    {
      worker: 'sender',
      method: 'post',
      path: '/send',
      summary: 'Sign an action and forward it to the receiver; the receiver’s answer is relayed',
      security: 'none',
      body: {
        type: 'object',
        properties: {
          action: actionNames.length > 0 ? { type: 'string', enum: actionNames } : stringSchema(),
          jwt: stringSchema('Session JWT, if not sent as Authorization: Bearer'),
        },
        required: ['action'],
        additionalProperties: true,
      },
      ok: { status: 200, schema: { type: 'object' }, description: 'The receiver’s answer' },
      errors: [400, 401, 409, 413, 415, 502],
    },
  ];
}
