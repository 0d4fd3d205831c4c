import { renderExtensionRegistry } from './extension-registry.js';
import { manifestFileName, rateLimitBounds, renderManifest, type ExtensionRoute, type ProjectManifest } from './manifest.js';
import { renderOpenApi } from './openapi.js';
import { planFiles, type DesiredFile, type PlannedFile, type ProjectTree } from './plan.js';
import { renderSnippet } from './render.js';
import { buildWranglerConfig, renderWranglerConfig, workerConfigPath } from './wrangler-config.js';
import {
  checkRoutePath,
  findBuiltInOverlap,
  findExtensionOverlap,
  handlerExportName,
  handlerModuleName,
  httpMethods,
  isReservedModule,
  rolePattern,
  samplePath,
  sameRoute,
  type HttpMethod,
} from './routes.js';
import type { TemplateSource } from './template-source.js';

export interface AddRouteRequest {
  path: string;
  methods: string[];
  public: boolean;
  roles: string[];
  rateLimit?: number;
  description?: string;
}

export type AddRoutePlan =
  | { ok: true; route: ExtensionRoute; alreadyThere: boolean; manifest: ProjectManifest; files: PlannedFile[] }
  | { ok: false; field: string; message: string };

const refuse = (field: string, message: string): AddRoutePlan => ({ ok: false, field, message });

/** Validates the request against the path rules, the built-in groups and the routes already there. */
export function validateRouteRequest(
  request: AddRouteRequest,
  manifest: ProjectManifest,
): { ok: true; route: ExtensionRoute } | { ok: false; field: string; message: string } {
  if (!manifest.workers.includes('api'))
    return { ok: false, field: 'appshell.json', message: 'this project has no api Worker to add a route to' };
  const path = checkRoutePath(request.path);
  if (!path.ok) return { ok: false, field: '<path>', message: path.message };
  const group = findBuiltInOverlap(request.path);
  if (group)
    return { ok: false, field: '<path>', message: `<path>: '${request.path}' overlaps the built-in ${group} routes of the api Worker` };
  const methods = [...new Set(request.methods.map((method) => method.toUpperCase()))];
  const badMethod = methods.find((method) => !httpMethods.includes(method as HttpMethod));
  if (methods.length === 0 || badMethod) {
    return { ok: false, field: '--methods', message: `--methods: '${badMethod ?? ''}' is not allowed; allowed: ${httpMethods.join(', ')}` };
  }
  const badRole = request.roles.find((role) => !rolePattern.test(role));
  if (badRole !== undefined) {
    return {
      ok: false,
      field: '--roles',
      message: `--roles: '${badRole}' is not a role name (lowercase letters, digits, - and _, starting with a letter)`,
    };
  }
  if (request.public && request.roles.length > 0) {
    return { ok: false, field: '--roles', message: '--roles: a --public route has no caller, so it cannot require roles' };
  }
  if (
    request.rateLimit !== undefined &&
    (!Number.isInteger(request.rateLimit) || request.rateLimit < rateLimitBounds.min || request.rateLimit > rateLimitBounds.max)
  ) {
    return {
      ok: false,
      field: '--rate-limit',
      message: `--rate-limit: must be a whole number of requests per minute from ${rateLimitBounds.min} to ${rateLimitBounds.max}`,
    };
  }
  if (request.description !== undefined && (request.description.length > 200 || /[\r\n*/]/.test(request.description))) {
    return { ok: false, field: '--description', message: '--description: at most 200 characters, on one line, without * or /' };
  }
  const handler = handlerModuleName(request.path);
  if (isReservedModule(handler))
    return { ok: false, field: '<path>', message: `<path>: '${request.path}' would name its handler ${handler}.ts, which is reserved` };
  const route: ExtensionRoute = {
    path: request.path,
    methods: httpMethods.filter((method) => methods.includes(method)),
    public: request.public,
    roles: [...request.roles].sort(),
    ...(request.rateLimit !== undefined ? { rateLimit: request.rateLimit } : {}),
    ...(request.description ? { description: request.description } : {}),
    handler,
  };
  return { ok: true, route };
}

/** Each `:param` of the path: its name, its segment index (for a `fetch` handler) and its value in `samplePath`. */
function pathParams(path: string): { name: string; index: number; sample: string }[] {
  const sample = samplePath(path).split('/');
  return path
    .split('/')
    .map((segment, index) => ({ segment, index }))
    .filter(({ segment }) => segment.startsWith(':'))
    .map(({ segment, index }) => ({ name: segment.slice(1), index, sample: sample[index]! }));
}

/**
 * The files of one route that the team owns after they are written: its handler (a Hono handler with typed path
 * parameters; for a `handlerStyle: "fetch"` entry from before route tables, the handler style it was written in) and
 * its test.
 */
export function renderRouteFiles(route: ExtensionRoute, source: TemplateSource): DesiredFile[] {
  const context = {
    route: { description: undefined, rateLimit: undefined, ...route },
    exportName: handlerExportName(route.handler),
    sample: samplePath(route.path),
    params: pathParams(route.path),
    otherMethods: route.methods.slice(1),
  };
  return [
    {
      path: `workers/api/src/extensions/${route.handler}.ts`,
      content: renderSnippet(
        source,
        route.handlerStyle === 'fetch' ? 'extension-fetch-handler.ts.hbs' : 'extension-handler.ts.hbs',
        context,
      ),
    },
    { path: `workers/api/test/extensions/${route.handler}.test.ts`, content: renderSnippet(source, 'extension-test.ts.hbs', context) },
  ];
}

/**
 * The files every route or action change rewrites from the manifest: the manifest itself, the API's extension registry
 * (and its wrangler config with the edge limiter) and `openapi.json` (which also documents the receiver's actions).
 */
export function renderManifestAndDerivedFiles(manifest: ProjectManifest): DesiredFile[] {
  const files: DesiredFile[] = [{ path: manifestFileName, content: renderManifest(manifest), neverConflicts: true }];
  if (manifest.workers.includes('api')) {
    files.push({ path: 'workers/api/src/extensions/index.ts', content: renderExtensionRegistry(manifest.routes) });
    // The edge limiter binds one Workers Rate Limiting binding per limit: a route's own `rateLimit` needs its binding.
    if (manifest.rateLimiter === 'edge') {
      files.push({
        path: workerConfigPath(manifest, 'api'),
        content: renderWranglerConfig(buildWranglerConfig(manifest, 'api'), manifest.configFormat),
      });
    }
  }
  if (manifest.workers.some((worker) => worker !== 'receiver')) files.push({ path: 'openapi.json', content: renderOpenApi(manifest) });
  return files;
}

/**
 * `appshell add-route <path>`: the same request twice changes nothing; a different one for the same path, or
 * one overlapping a built-in group or another route, is refused. A handler or test the team already has is
 * never rewritten. Pure: the caller gives the manifest, the tree and the templates.
 */
export function planAddRoute(input: {
  request: AddRouteRequest;
  manifest: ProjectManifest;
  tree: ProjectTree;
  source: TemplateSource;
  force: boolean;
}): AddRoutePlan {
  const checked = validateRouteRequest(input.request, input.manifest);
  if (!checked.ok) return checked;
  const { route } = checked;
  const existing = input.manifest.routes.find((candidate) => candidate.path === route.path);
  if (existing && !sameRoute(existing, route)) {
    return refuse(
      '<path>',
      `<path>: '${route.path}' is already a route with other options (${describe(existing)}); edit its entry in appshell.json and run appshell add-route --sync`,
    );
  }
  if (!existing) {
    const overlap = findExtensionOverlap(route.path, input.manifest.routes);
    if (overlap)
      return refuse('<path>', `<path>: '${route.path}' overlaps the route ${overlap.path} (a route also answers every path below it)`);
  }
  const manifest: ProjectManifest = existing ? input.manifest : { ...input.manifest, routes: [...input.manifest.routes, route] };
  const desired = [
    ...renderManifestAndDerivedFiles(manifest),
    ...renderRouteFiles(route, input.source).filter((file) => input.tree.read(file.path) === undefined),
  ];
  return { ok: true, route, alreadyThere: Boolean(existing), manifest, files: planFiles(desired, input.tree, { force: input.force }) };
}

function describe(route: ExtensionRoute): string {
  const parts = [route.methods.join(',')];
  if (route.public) parts.push('public');
  if (route.roles.length) parts.push(`roles ${route.roles.join(',')}`);
  if (route.rateLimit !== undefined) parts.push(`rate limit ${route.rateLimit}`);
  return parts.join('; ');
}
