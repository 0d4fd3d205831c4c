import type { WorkerName } from './answers.js';
import type { ExtensionRoute, ProjectManifest } from './manifest.js';

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

const keyQuery = { name: 'key', required: true, schema: stringSchema(), description: 'Object key, relative to your own prefix' };

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

export function apiOperations(manifest: ProjectManifest): Operation[] {
  const api = (
    method: Operation['method'],
    path: string,
    summary: string,
    rest: Partial<Operation> & Pick<Operation, 'ok'>,
  ): Operation => ({
    worker: 'api',
    method,
    path,
    summary,
    security: 'session',
    errors: [400, 401, 429],
    ...rest,
  });
  const projectBody = objectSchema(
    { name: stringSchema(), description: stringSchema(), memberIds: { type: 'array', items: stringSchema() } },
    ['name'],
  );
  const operations: Operation[] = [
    api('get', '/v1/projects', 'List the projects you own or belong to', {
      query: [{ name: 'cursor', schema: stringSchema() }],
      ok: {
        status: 200,
        schema: objectSchema({ projects: { type: 'array', items: schemaRef('Project') }, cursor: stringSchema() }, ['projects']),
        description: 'Projects',
      },
    }),
    api('post', '/v1/projects', 'Create a project', {
      body: projectBody,
      ok: { status: 201, schema: objectSchema({ project: schemaRef('Project') }), description: 'Created' },
    }),
    api('get', '/v1/projects/{id}', 'Read a project', {
      ok: { status: 200, schema: objectSchema({ project: schemaRef('Project') }), description: 'The project' },
      errors: [401, 404, 429],
    }),
    api('patch', '/v1/projects/{id}', 'Change a project', {
      body: { ...projectBody, required: [] },
      ok: { status: 200, schema: objectSchema({ project: schemaRef('Project') }), description: 'The project' },
      errors: [400, 401, 403, 404, 429],
    }),
    api('delete', '/v1/projects/{id}', 'Delete a project (owner or admin)', {
      ok: { status: 200, schema: objectSchema({ deleted: { type: 'boolean' }, id: stringSchema() }), description: 'Deleted' },
      errors: [401, 403, 404, 429],
    }),
    api('post', '/v1/r2/upload', 'Upload an object (streamed into R2 under your prefix; with or without Content-Length)', {
      query: [
        { ...keyQuery, required: false, description: 'Object key; generated when absent' },
        { name: 'contentType', schema: stringSchema() },
      ],
      body: 'binary',
      ok: {
        status: 200,
        schema: objectSchema({ key: stringSchema(), size: integerSchema(), etag: stringSchema(), uploaded: stringSchema() }),
        description: 'Stored',
      },
      errors: [400, 401, 413, 429],
    }),
    api('get', '/v1/r2/signed-put', 'A presigned S3 PUT URL for a direct upload', {
      query: [
        { ...keyQuery, required: false },
        { name: 'contentType', schema: stringSchema('Signed into the URL; default application/octet-stream') },
        { name: 'expires', schema: integerSchema('Seconds, at most 3600') },
        { name: 'size', required: true, schema: integerSchema('Exact byte count, signed into the URL; at most MAX_UPLOAD_BYTES') },
      ],
      errors: [400, 401, 413, 429, 500],
      ok: {
        status: 200,
        schema: objectSchema({
          url: stringSchema(),
          key: stringSchema(),
          method: { type: 'string', enum: ['PUT'] },
          headers: { type: 'object', additionalProperties: stringSchema() },
          expires_at: integerSchema(),
        }),
        description: 'Presigned URL',
      },
    }),
    api('get', '/v1/r2/object', 'Download an object (Range: 206, If-None-Match: 304)', {
      query: [keyQuery],
      ok: { status: 200, schema: 'binary', description: 'The object' },
      more: {
        206: { description: 'The requested range (Content-Range)', content: binaryContent },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
      },
      errors: [400, 401, 404, 416, 429],
    }),
    api('delete', '/v1/r2/object', 'Delete an object', {
      query: [keyQuery],
      ok: { status: 200, schema: objectSchema({ deleted: { type: 'boolean' }, key: stringSchema() }), description: 'Deleted' },
      errors: [400, 401, 404, 429],
    }),
    api('get', '/v1/r2/list', 'List your objects', {
      query: [
        { name: 'prefix', schema: stringSchema() },
        { name: 'cursor', schema: stringSchema() },
        { name: 'limit', schema: integerSchema() },
      ],
      ok: {
        status: 200,
        schema: objectSchema(
          {
            objects: { type: 'array', items: schemaRef('StoredObject') },
            truncated: { type: 'boolean' },
            cursor: stringSchema('Present when truncated'),
          },
          ['objects', 'truncated'],
        ),
        description: 'Objects',
      },
    }),
  ];
  if (manifest.features.includes('ai')) {
    const asyncFlag = { async: { type: 'boolean', description: 'Run as a job: 202 {job_id}, poll GET /v1/jobs/{id}' } };
    operations.push(
      api('post', '/v1/ai/text-generate', 'Generate text with Workers AI', {
        body: objectSchema({ prompt: stringSchema(), model: stringSchema(), ...asyncFlag }, ['prompt']),
        ok: { status: 200, schema: objectSchema({ text: stringSchema(), model: stringSchema() }, ['text']), description: 'Generated text' },
        errors: [400, 401, 413, 429, 502],
      }),
      api('post', '/v1/ai/summarize', 'Summarize text with Workers AI', {
        body: objectSchema({ text: stringSchema(), ...asyncFlag }, ['text']),
        ok: { status: 200, schema: objectSchema({ summary: stringSchema(), model: stringSchema() }, ['summary']), description: 'Summary' },
        errors: [400, 401, 413, 429, 502],
      }),
      api('post', '/v1/ai/image-generate', 'Generate an image, stored in R2 under your prefix', {
        body: objectSchema({ prompt: stringSchema(), model: stringSchema(), ...asyncFlag }, ['prompt']),
        ok: { status: 200, schema: objectSchema({ key: stringSchema(), model: stringSchema() }, ['key']), description: 'Stored image key' },
        errors: [400, 401, 413, 429, 502],
      }),
      api('get', '/v1/jobs/{id}', 'Poll an asynchronous job (owner only)', {
        ok: { status: 200, schema: schemaRef('Job'), description: 'Job state' },
        errors: [401, 404, 429],
      }),
    );
  }
  for (const feature of ['images', 'stream'] as const) {
    if (!manifest.features.includes(feature)) continue;
    operations.push(
      api('post', `/v1/${feature}/direct-upload`, `A one-time Cloudflare ${feature === 'images' ? 'Images' : 'Stream'} direct upload URL`, {
        ...(feature === 'stream'
          ? {
              body: objectSchema({ maxDurationSeconds: integerSchema('1 to 21600; 3600 when absent (the body is optional)') }, []),
              bodyOptional: true,
            }
          : {}),
        ok: { status: 200, schema: objectSchema({ id: stringSchema(), upload_url: stringSchema() }), description: 'Upload URL' },
        errors: [...(feature === 'stream' ? [400] : []), 401, 429, 500, 502],
      }),
    );
  }
  for (const route of manifest.routes) operations.push(...extensionOperations(route));
  return operations;
}

function extensionOperations(route: ExtensionRoute): Operation[] {
  const path = route.path.replace(/:([a-zA-Z0-9]+)/g, '{$1}');
  return route.methods.map((method) => ({
    worker: 'api' as const,
    method: method.toLowerCase() as Operation['method'],
    path,
    summary: route.description ?? `Extension route ${route.path}`,
    security: route.public ? ('none' as const) : ('session' as const),
    ...(route.roles.length ? { roles: route.roles } : {}),
    ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: { type: 'object' } } : {}),
    ok: { status: 200, schema: { type: 'object' }, description: 'Answer of the extension handler' },
    errors: [
      ...(route.public ? [] : [401]),
      ...(route.roles.length ? [403] : []),
      ...(route.rateLimit !== undefined || !route.public ? [429] : []),
    ],
  }));
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
