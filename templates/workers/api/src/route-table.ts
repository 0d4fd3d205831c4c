import * as z from 'zod/mini';
import { described, integer, intQuery, named, type RouteSpec } from './routes/spec.js';

// Every built-in route of the API Worker, once: `api-app.ts` mounts them (with the extension routes of
// `extensions/index.ts`) from this table, the auth guard, the role check, the rate limiter and the request checks
// read it, and appshell writes `openapi.json` from it. A route's handler is the entry of the same `id` in the
// handler map of `api-app.ts`.

const userId = z.string().check(z.regex(/^(?!\.{1,2}$)[A-Za-z0-9._:@|+-]{1,128}$/, 'must be a user id'));
const projectName = z
  .string()
  .check(z.refine((name) => name.trim().length > 0 && name.length <= 100, 'must be a string of 1 to 100 characters'));
const projectFields = {
  name: projectName,
  description: z.optional(z.string().check(z.maxLength(1000, 'must be a string of at most 1000 characters'))),
  memberIds: z.optional(z.array(userId).check(z.maxLength(50, 'must be a list of at most 50 user ids'))),
};

/** `POST /v1/projects`: unknown fields are refused rather than ignored, so a typo (`members`) does not do nothing. */
export const projectCreate = z.strictObject(projectFields);
/** `PATCH /v1/projects/:id`: the same fields, each optional, at least one. */
export const projectUpdate = z
  .strictObject({ ...projectFields, name: z.optional(projectName) })
  .check(z.refine((body) => Object.keys(body).length > 0, 'nothing to update'));

export const project = named(
  'Project',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.optional(z.string()),
    ownerId: z.string(),
    memberIds: z.array(z.string()),
    tenant: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const storedObject = named(
  'StoredObject',
  z.object({ key: z.string(), size: integer(), etag: z.string(), uploaded: z.string(), contentType: z.optional(z.string()) }),
);
const job = named(
  'Job',
  z.object({ status: z.enum(['queued', 'running', 'done', 'failed']), result: z.optional(z.unknown()), error: z.optional(z.string()) }),
);

/** `:id` of `/v1/projects/:id` and `/v1/jobs/:id` (the handler answers 404 for an id it does not know). */
const idParam = z.object({ id: z.string().check(z.minLength(1)) });
const key = described(z.string({ error: 'is required: the object key' }), 'Object key, relative to your own prefix');
const contentType = z.optional(z.string());
/** Run as a job: 202 `{job_id}`, poll `GET /v1/jobs/:id`. */
const asyncFlag = z.optional(described(z.boolean({ error: 'must be a boolean' }), 'Run as a job: 202 {job_id}, poll GET /v1/jobs/{id}'));
const text = z.string({ error: 'must be a non-empty string' });
const aiAnswer = (fields: Record<string, z.ZodMiniType>) => ({
  200: { description: 'The answer', schema: z.object(fields) },
  202: { description: 'Queued as a job (`async: true`)', schema: z.object({ job_id: z.string() }) },
});
const directUpload = z.object({ id: z.string(), upload_url: z.string() });

/** The API Worker's own routes. The order is the mounting order; each path's methods are kept together. */
export const builtInRoutes = [
  {
    id: 'listProjects',
    method: 'GET',
    path: '/v1/projects',
    summary: 'List the projects you own or belong to',
    access: 'session',
    request: { query: z.object({ cursor: z.optional(z.string()) }) },
    responses: { 200: { description: 'Projects', schema: z.object({ projects: z.array(project), cursor: z.optional(z.string()) }) } },
    errors: [400, 401, 429],
  },
  {
    id: 'createProject',
    method: 'POST',
    path: '/v1/projects',
    summary: 'Create a project',
    access: 'session',
    request: { json: projectCreate, bodyLimit: 16 * 1024 },
    responses: { 201: { description: 'Created', schema: z.object({ project }) } },
    errors: [400, 401, 413, 415, 429],
  },
  {
    id: 'getProject',
    method: 'GET',
    path: '/v1/projects/:id',
    summary: 'Read a project',
    access: 'session',
    request: { param: idParam },
    responses: { 200: { description: 'The project', schema: z.object({ project }) } },
    errors: [401, 404, 429],
  },
  {
    id: 'updateProject',
    method: 'PATCH',
    path: '/v1/projects/:id',
    summary: 'Change a project',
    access: 'session',
    request: { param: idParam, json: projectUpdate, bodyLimit: 16 * 1024 },
    responses: { 200: { description: 'The project', schema: z.object({ project }) } },
    errors: [400, 401, 403, 404, 413, 415, 429],
  },
  {
    id: 'deleteProject',
    method: 'DELETE',
    path: '/v1/projects/:id',
    summary: 'Delete a project (owner or admin)',
    access: 'session',
    request: { param: idParam },
    responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.boolean(), id: z.string() }) } },
    errors: [401, 403, 404, 429],
  },
  {
    id: 'uploadObject',
    method: 'POST',
    path: '/v1/r2/upload',
    summary: 'Upload an object (streamed into R2 under your prefix; with or without Content-Length)',
    access: 'session',
    request: {
      query: z.object({ key: z.optional(described(z.string(), 'Object key; generated when absent')), contentType }),
      ownBody: 'binary',
    },
    responses: {
      200: { description: 'Stored', schema: z.object({ key: z.string(), size: integer(), etag: z.string(), uploaded: z.string() }) },
    },
    errors: [400, 401, 413, 429],
  },
  {
    id: 'signedPut',
    method: 'GET',
    path: '/v1/r2/signed-put',
    summary: 'A presigned S3 PUT URL for a direct upload',
    access: 'session',
    request: {
      query: z.object({
        key: z.optional(key),
        contentType: z.optional(described(z.string(), 'Signed into the URL; default application/octet-stream')),
        expires: z.optional(intQuery(1, 3600, 'Seconds; 600 when absent')),
        size: intQuery(
          0,
          Number.MAX_SAFE_INTEGER,
          'Exact byte count, signed into the URL; at most MAX_UPLOAD_BYTES',
          'is required: the exact length of the upload in bytes',
        ),
      }),
    },
    responses: {
      200: {
        description: 'Presigned URL',
        schema: z.object({
          url: z.string(),
          key: z.string(),
          method: z.literal('PUT'),
          headers: z.record(z.string(), z.string()),
          expires_at: integer(),
        }),
      },
    },
    errors: [400, 401, 413, 429, 500],
  },
  {
    id: 'downloadObject',
    method: 'GET',
    path: '/v1/r2/object',
    summary: 'Download an object (Range: 206, If-None-Match: 304)',
    access: 'session',
    // A bad key is 400 `bad_key` from the handler (keys.ts); a missing one is refused here.
    request: { query: z.object({ key }) },
    responses: {
      200: { description: 'The object', schema: 'binary' },
      206: { description: 'The requested range (Content-Range)', schema: 'binary' },
      304: { description: 'Not modified (If-None-Match matched the ETag)' },
    },
    errors: [400, 401, 404, 416, 429],
  },
  {
    id: 'deleteObject',
    method: 'DELETE',
    path: '/v1/r2/object',
    summary: 'Delete an object',
    access: 'session',
    request: { query: z.object({ key }) },
    responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.boolean(), key: z.string() }) } },
    errors: [400, 401, 404, 429],
  },
  {
    id: 'listObjects',
    method: 'GET',
    path: '/v1/r2/list',
    summary: 'List your objects',
    access: 'session',
    request: {
      query: z.object({
        prefix: z.optional(z.string()),
        cursor: z.optional(z.string()),
        limit: z.optional(intQuery(1, 1000, '100 when absent')),
      }),
    },
    responses: {
      200: {
        description: 'Objects',
        schema: z.object({
          objects: z.array(storedObject),
          truncated: z.boolean(),
          cursor: z.optional(described(z.string(), 'Present when truncated')),
        }),
      },
    },
    errors: [400, 401, 429],
  },
  {
    id: 'textGenerate',
    method: 'POST',
    path: '/v1/ai/text-generate',
    summary: 'Generate text with Workers AI',
    access: 'session',
    feature: 'ai',
    request: { json: z.object({ prompt: text, model: z.optional(z.string()), async: asyncFlag }), bodyLimit: 64 * 1024 },
    responses: aiAnswer({ text: z.string(), model: z.string() }),
    errors: [400, 401, 413, 415, 429, 502],
  },
  {
    id: 'summarize',
    method: 'POST',
    path: '/v1/ai/summarize',
    summary: 'Summarize text with Workers AI',
    access: 'session',
    feature: 'ai',
    request: { json: z.object({ text, async: asyncFlag }), bodyLimit: 64 * 1024 },
    responses: aiAnswer({ summary: z.string(), model: z.string() }),
    errors: [400, 401, 413, 415, 429, 502],
  },
  {
    id: 'imageGenerate',
    method: 'POST',
    path: '/v1/ai/image-generate',
    summary: 'Generate an image, stored in R2 under your prefix',
    access: 'session',
    feature: 'ai',
    request: { json: z.object({ prompt: text, model: z.optional(z.string()), async: asyncFlag }), bodyLimit: 64 * 1024 },
    responses: aiAnswer({ key: z.string(), model: z.string(), contentType: z.string(), size: integer() }),
    errors: [400, 401, 413, 415, 429, 502],
  },
  {
    id: 'getJob',
    method: 'GET',
    path: '/v1/jobs/:id',
    summary: 'Poll an asynchronous job (owner only)',
    access: 'session',
    feature: 'ai',
    request: { param: idParam },
    responses: { 200: { description: 'Job state', schema: job } },
    errors: [401, 404, 429],
  },
  {
    id: 'imagesDirectUpload',
    method: 'POST',
    path: '/v1/images/direct-upload',
    summary: 'A one-time Cloudflare Images direct upload URL',
    access: 'session',
    feature: 'images',
    responses: { 200: { description: 'Upload URL', schema: directUpload } },
    errors: [401, 429, 500, 502],
  },
  {
    id: 'streamDirectUpload',
    method: 'POST',
    path: '/v1/stream/direct-upload',
    summary: 'A one-time Cloudflare Stream direct upload URL',
    access: 'session',
    feature: 'stream',
    request: {
      json: z.object({
        maxDurationSeconds: z.optional(
          described(
            z.int({ error: 'must be a whole number of seconds' }).check(z.gte(1, 'must be 1 to 21600'), z.lte(21600, 'must be 1 to 21600')),
            '1 to 21600; 3600 when absent (the body is optional)',
          ),
        ),
      }),
      jsonOptional: true,
      bodyLimit: 4096,
    },
    responses: { 200: { description: 'Upload URL', schema: directUpload } },
    errors: [400, 401, 413, 415, 429, 500, 502],
  },
] as const satisfies readonly RouteSpec[];

/** `GET /health` of every Worker: public, not counted, not in the handler map. */
export const healthRoute = {
  id: 'health',
  method: 'GET',
  path: '/health',
  summary: 'Health of the api Worker (every Worker answers GET /health with its own service name)',
  access: 'public',
  responses: { 200: { description: 'Healthy', schema: z.object({ ok: z.literal(true), service: z.string() }) } },
  errors: [],
} as const satisfies RouteSpec;

export type BuiltInRoute = (typeof builtInRoutes)[number];
