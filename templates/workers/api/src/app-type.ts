import type { Hono } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import type * as z from 'zod/mini';
import type { ApiEnv } from './env.js';
import type { extensions } from './extensions/index.js';
import type { PathParams } from './extensions/types.js';
import type { builtInRoutes, healthRoute } from './route-table.js';
import type { RouteRequest } from './routes/spec.js';

// The API Worker's routes as Hono's client types them, derived from the same table the Worker mounts (route-table.ts
// and the extension registry): a web or Node team calls the Worker through `hc<ApiApp>` with typed paths, params,
// queries, bodies and answers. Types only: nothing here is in the Worker's bundle.

// biome-ignore lint/complexity/noBannedTypes: Hono's client takes the empty object type as "nothing to send".
type NoInput = {};
type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : never;
type Given<S> = S extends z.ZodMiniType ? z.input<S> : never;

/** What a request to a built-in route carries: its path parameters, its query and its JSON body, as the schemas take them. */
type RequestInput<R> = R extends RouteRequest
  ? (R['param'] extends z.ZodMiniType ? { param: Given<R['param']> } : NoInput) &
      (R['query'] extends z.ZodMiniType ? { query: Given<R['query']> } : NoInput) &
      (R['json'] extends z.ZodMiniType ? { json: Given<R['json']> } : NoInput)
  : NoInput;

/** One answer per success status, typed by its schema (bytes and empty answers as `unknown`). */
type Answers<Responses> = {
  [Status in keyof Responses & number]: {
    output: Responses[Status] extends { schema: infer S } ? (S extends z.ZodMiniType ? Parsed<S> : unknown) : unknown;
    outputFormat: 'json';
    status: Status & StatusCode;
  };
}[keyof Responses & number];

type TableRoute = (typeof builtInRoutes)[number] | typeof healthRoute;

type TableSchema = {
  [Path in TableRoute['path']]: {
    [Route in Extract<TableRoute, { path: Path }> as `$${Lowercase<Route['method']>}`]: {
      input: RequestInput<Route extends { request: infer R } ? R : undefined>;
    } & Answers<Route['responses']>;
  };
};

type Extension = (typeof extensions)[number];
type ExtensionPath<E> = E extends { path: infer P extends string } ? P : E extends { prefix: infer P extends string } ? P : never;

/** Extension routes: path parameters from the path; the body and the answer are the handler's, any JSON object. */
type ExtensionSchema = {
  [Path in ExtensionPath<Extension>]: {
    [Method in Extract<Extension, { path: Path } | { prefix: Path }>['methods'][number] as `$${Lowercase<Method>}`]: {
      input: (keyof PathParams<Path> extends never ? NoInput : { param: PathParams<Path> }) &
        (Method extends 'POST' | 'PUT' | 'PATCH' ? { json: Record<string, unknown> } : NoInput);
      output: Record<string, unknown>;
      outputFormat: 'json';
      status: 200;
    };
  };
};

/**
 * The API Worker's app type, for `hono/client`.
 *
 * @example
 * import { hc } from 'hono/client';
 * import type { ApiApp } from '../workers/api/src/app-type.js';
 *
 * const api = hc<ApiApp>('https://api.example.com', { headers: { Authorization: `Bearer ${sessionToken}` } });
 * const response = await api.v1.projects[':id'].$get({ param: { id } });
 * if (response.status === 200) console.log((await response.json()).project.name);
 */
export type ApiApp = Hono<ApiEnv, TableSchema & ExtensionSchema>;
