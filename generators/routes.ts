import { builtInRoutes, healthRoute } from '../templates/workers/api/src/route-table.js';
import type { ExtensionRoute } from './manifest.js';

/**
 * Path groups the API Worker answers itself, from its route table (`/v1/projects/:id` -> `/v1/projects`, every
 * feature's included): an extension route may not overlap them, so a later built-in route of a group cannot clash.
 */
export const builtInGroups: readonly string[] = [
  ...new Set(
    [healthRoute, ...builtInRoutes].map((route) =>
      route.path
        .split('/')
        .slice(0, route.path.startsWith('/v1/') ? 3 : 2)
        .join('/'),
    ),
  ),
];

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** Module names under `src/extensions/` that are not routes. */
const reservedModules = new Set(['index', 'types']);

const staticSegment = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const paramSegment = /^:([a-z][a-zA-Z0-9]{0,30})$/;
export const rolePattern = /^[a-z][a-z0-9_-]{0,39}$/;

export type Check = { ok: true } | { ok: false; message: string };

/**
 * An extension path: `/v1/` then lowercase kebab segments or `:param` segments, starting with a fixed one.
 * Returns why a path is refused, in words a person can act on.
 */
export function checkRoutePath(path: string): Check {
  const refuse = (reason: string): Check => ({ ok: false, message: `<path>: '${path}' ${reason}` });
  if (path.length > 200) return refuse('is longer than 200 characters');
  if (!path.startsWith('/v1/')) return refuse('must start with /v1/ (extension routes live beside the built-in /v1 groups)');
  if (path.endsWith('/')) return refuse('must not end with /');
  const segments = path.split('/').slice(2);
  const params = new Set<string>();
  for (const [index, segment] of segments.entries()) {
    if (segment === '') return refuse('has an empty segment (//)');
    const param = paramSegment.exec(segment);
    if (param) {
      if (index === 0) return refuse('must start with a fixed segment, e.g. /v1/invoices/:id');
      if (params.has(param[1]!)) return refuse(`uses the parameter :${param[1]} twice`);
      params.add(param[1]!);
      continue;
    }
    if (!staticSegment.test(segment)) {
      return refuse(`has the segment '${segment}'; segments are lowercase kebab-case words (a-z, 0-9, -) or :param`);
    }
  }
  return { ok: true };
}

/** True when one path answers the other's requests (an extension covers everything below its path). */
function covers(outer: string, inner: string): boolean {
  const a = outer.split('/');
  const b = inner.split('/');
  if (a.length > b.length) return false;
  return a.every((segment, index) => segment === b[index] || segment.startsWith(':') || b[index]!.startsWith(':'));
}

export function findBuiltInOverlap(path: string): string | undefined {
  return builtInGroups.find((group) => covers(group, path) || covers(path, group));
}

/** An existing extension whose path overlaps this one (the same path, or one above or below it). */
export function findExtensionOverlap(path: string, routes: readonly ExtensionRoute[]): ExtensionRoute | undefined {
  return routes.find((route) => covers(route.path, path) || covers(path, route.path));
}

/** `/v1/invoices/:id/pay` -> `invoices-by-id-pay`: the handler module's file name. */
export function handlerModuleName(path: string): string {
  return path
    .split('/')
    .slice(2)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : segment))
    .join('-');
}

/** `invoices-by-id-pay` -> `invoicesByIdPay`: the handler's exported name. */
export function handlerExportName(moduleName: string): string {
  const name = moduleName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return /^[0-9]/.test(name) ? `route${name}` : name;
}

export function isReservedModule(moduleName: string): boolean {
  return reservedModules.has(moduleName);
}

/** Two routes are the same when every option matches (order of methods and roles aside). */
export function sameRoute(a: ExtensionRoute, b: ExtensionRoute): boolean {
  const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort().join(',');
  return (
    a.path === b.path &&
    sorted(a.methods) === sorted(b.methods) &&
    Boolean(a.public) === Boolean(b.public) &&
    sorted(a.roles) === sorted(b.roles) &&
    a.rateLimit === b.rateLimit &&
    (a.description ?? '') === (b.description ?? '') &&
    a.handler === b.handler
  );
}

/** A sample request path for tests and docs: each `:param` becomes `example-<param>`. */
export function samplePath(path: string): string {
  return path.replace(/:([a-zA-Z0-9]+)/g, (_, name: string) => `example-${name.toLowerCase()}`);
}
