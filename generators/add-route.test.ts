import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInRoutes } from '../templates/workers/api/src/route-table.js';
import { planAddAction } from './add-action.js';
import { planAddRoute, type AddRouteRequest } from './add-route.js';
import { planSyncRoutes } from './sync-routes.js';
import { defaultAnswers } from './answers.js';
import { planInitWorker } from './init-worker.js';
import { parseManifest } from './manifest-read.js';
import { buildOpenApi } from './openapi.js';
import { memoryTree, type PlannedFile } from './plan.js';
import { loadTemplates, type TemplateSource } from './template-source.js';

let source: TemplateSource;
let project: Record<string, string>;

beforeAll(async () => {
  source = await loadTemplates();
  const init = planInitWorker({
    answers: defaultAnswers('shop'),
    root: '/virtual/shop',
    tree: memoryTree(),
    newProject: true,
    source,
    force: false,
  });
  project = Object.fromEntries(init.files.map((file) => [file.path, file.content]));
});

const request = (overrides: Partial<AddRouteRequest> = {}): AddRouteRequest => ({
  path: '/v1/invoices',
  methods: ['GET', 'POST'],
  public: false,
  roles: [],
  ...overrides,
});

function plan(overrides: Partial<AddRouteRequest> = {}, files = project, force = false) {
  const parsed = parseManifest(files['appshell.json']!);
  if (!parsed.ok) throw new Error(parsed.message);
  return planAddRoute({ request: request(overrides), manifest: parsed.manifest, tree: memoryTree({ ...files }), source, force });
}

function apply(files: Record<string, string>, planned: PlannedFile[]): Record<string, string> {
  return { ...files, ...Object.fromEntries(planned.map((file) => [file.path, file.content])) };
}

const actionOf = (files: PlannedFile[], path: string) => files.find((file) => file.path === path)?.action;

describe('planAddRoute', () => {
  it('adds the handler, its test, the manifest entry, the registry entry and the OpenAPI path', () => {
    const result = plan({ path: '/v1/invoices/:invoiceId', roles: ['billing'], rateLimit: 30, description: 'Invoices of the caller' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const byPath = Object.fromEntries(result.files.map((file) => [file.path, file]));
    expect(byPath['workers/api/src/extensions/invoices-by-invoice-id.ts']?.action).toBe('create');
    expect(byPath['workers/api/src/extensions/invoices-by-invoice-id.ts']?.content).toContain(
      'export const invoicesByInvoiceId: PathHandler',
    );
    expect(byPath['workers/api/test/extensions/invoices-by-invoice-id.test.ts']?.content).toContain(
      'refuses a caller without one of the roles billing (403)',
    );
    const registry = byPath['workers/api/src/extensions/index.ts']!;
    expect(registry.action).toBe('update');
    expect(registry.content).toContain("import { invoicesByInvoiceId } from './invoices-by-invoice-id.js';");
    expect(registry.content).toContain(
      "{ path: '/v1/invoices/:invoiceId', methods: ['GET', 'POST'], roles: ['billing'], rateLimit: 30, description: 'Invoices of the caller', handler: invoicesByInvoiceId },",
    );
    expect(registry.content).toContain(
      "{ path: '/v1/hello', methods: ['GET'], description: 'Example extension: answers who is calling', handler: hello },",
    );
    // The handler gets its path parameter typed from the path, and its test checks it comes back.
    const handler = byPath['workers/api/src/extensions/invoices-by-invoice-id.ts']!.content;
    expect(handler).toContain("PathHandler<'/v1/invoices/:invoiceId'> = (c) => {");
    expect(handler).toContain("const { invoiceId } = c.req.valid('param');");
    expect(byPath['workers/api/test/extensions/invoices-by-invoice-id.test.ts']?.content).toContain("invoiceId: 'example-invoiceid'");
    const written = JSON.parse(byPath['appshell.json']!.content);
    expect(written.routes.map((route: { path: string }) => route.path)).toEqual(['/v1/hello', '/v1/invoices/:invoiceId']);
    const openapi = JSON.parse(byPath['openapi.json']!.content);
    expect(Object.keys(openapi.paths['/v1/invoices/{invoiceId}'])).toEqual(expect.arrayContaining(['get', 'post']));
  });

  it('changes nothing when the same route is added again', () => {
    const first = plan();
    if (!first.ok) throw new Error(first.message);
    const again = plan({}, apply(project, first.files));
    expect(again.ok && again.alreadyThere).toBe(true);
    expect(again.ok && again.files.every((file) => file.action === 'unchanged')).toBe(true);
  });

  it('refuses the same path with other options', () => {
    const first = plan();
    if (!first.ok) throw new Error(first.message);
    const again = plan({ methods: ['GET'] }, apply(project, first.files));
    expect(again).toMatchObject({ ok: false, field: '<path>' });
    expect(!again.ok && again.message).toMatch(/already a route with other options \(GET,POST\)/);
  });

  it('never rewrites a handler the team edited', () => {
    const first = plan();
    if (!first.ok) throw new Error(first.message);
    const files = apply(project, first.files);
    files['workers/api/src/extensions/invoices.ts'] = '// ours\n';
    const again = plan({}, files);
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.files.some((file) => file.path === 'workers/api/src/extensions/invoices.ts')).toBe(false);
  });

  it('keeps the team’s own edits to appshell.json', () => {
    const edited = JSON.parse(project['appshell.json']!);
    edited.origins.production = ['https://shop.example'];
    const result = plan({}, { ...project, 'appshell.json': `${JSON.stringify(edited, null, 2)}\n` });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const manifestFile = result.files.find((file) => file.path === 'appshell.json')!;
    expect(manifestFile.action).toBe('update');
    expect(JSON.parse(manifestFile.content).origins.production).toEqual(['https://shop.example']);
  });

  it('reports a hand-edited registry as a conflict', () => {
    const files = { ...project, 'workers/api/src/extensions/index.ts': `${project['workers/api/src/extensions/index.ts']}// ours\n` };
    const result = plan({}, files);
    expect(result.ok && actionOf(result.files, 'workers/api/src/extensions/index.ts')).toBe('conflict');
  });

  it('refuses every path of the route table as an extension path (the overlap check reads the table)', () => {
    for (const route of builtInRoutes) {
      const result = plan({ path: route.path });
      expect(!result.ok && result.message, route.path).toMatch(/overlaps the built-in/);
    }
  });

  it.each([
    ['/v1/stream/live', /overlaps the built-in \/v1\/stream/],
    ['/v1/r2/extra', /overlaps the built-in \/v1\/r2/],
    ['/v1/projects', /overlaps the built-in \/v1\/projects/],
    ['/v1/jobs/:id/cancel', /overlaps the built-in \/v1\/jobs/],
    ['/v1/images', /overlaps the built-in \/v1\/images/],
    ['/v1/hello/world', /overlaps the route \/v1\/hello/],
  ])('refuses %s (overlap)', (path, message) => {
    const result = plan({ path });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it.each([
    'invoices',
    '/v2/invoices',
    '/v1/',
    '/v1/Invoices',
    '/v1/invoices/',
    '/v1//invoices',
    '/v1/in voices',
    '/v1/invoices_all',
    '/v1/:id',
    '/v1/invoices/:id/:id',
    '/v1/-invoices',
    '/v1/invoices/:1d',
    '/v1/../admin',
    `/v1/${'a'.repeat(200)}`,
  ])('refuses the invalid path %s', (path) => {
    const result = plan({ path });
    expect(result).toMatchObject({ ok: false, field: '<path>' });
  });

  it.each([
    [{ methods: ['FETCH'] }, '--methods'],
    [{ methods: [] }, '--methods'],
    [{ roles: ['Admin'] }, '--roles'],
    [{ public: true, roles: ['admin'] }, '--roles'],
    [{ rateLimit: 0 }, '--rate-limit'],
    [{ rateLimit: 1.5 }, '--rate-limit'],
    [{ description: 'two\nlines' }, '--description'],
  ])('refuses %j naming %s', (overrides, field) => {
    expect(plan(overrides)).toMatchObject({ ok: false, field });
  });
});

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1 for every kind of project', async () => {
    const validator = new Validator();
    for (const answers of [
      defaultAnswers('shop'),
      { ...defaultAnswers('shop'), features: ['ai', 'images', 'stream'] as const, jwtAlg: 'EdDSA' as const, identity: 'supabase' as const },
      { ...defaultAnswers('shop'), workers: ['sender', 'receiver'] as ('sender' | 'receiver')[] },
    ]) {
      const init = planInitWorker({
        answers: { ...answers, features: [...answers.features] },
        root: '/x',
        tree: memoryTree(),
        newProject: true,
        source,
        force: false,
      });
      const result = await validator.validate(buildOpenApi(init.manifest));
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('describes security, the error envelope and the new routes', async () => {
    const added = plan({ path: '/v1/status', methods: ['GET'], public: true });
    if (!added.ok) throw new Error(added.message);
    const doc = buildOpenApi(added.manifest) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['sessionJwt', 'apiKey']);
    expect(doc.paths['/v1/status']?.get?.security).toEqual([]);
    expect(doc.paths['/v1/hello']?.get?.security).toEqual([{ sessionJwt: [] }, { apiKey: [] }]);
    expect(doc.paths['/v1/hello']?.get?.responses['401']).toEqual({ $ref: '#/components/responses/Error401' });
    expect(doc.paths['/auth/session']?.post).toBeDefined();
    expect(doc.paths['/send']?.post).toBeDefined();
    expect(doc.components.schemas.Error).toBeDefined();
    const validator = new Validator();
    expect((await validator.validate(doc)).valid).toBe(true);
  });
});

it('lists what the storage routes really answer (ranges, sized signed PUTs, chunked uploads)', () => {
  const init = planInitWorker({
    answers: { ...defaultAnswers('shop'), features: ['stream'] },
    root: '/x',
    tree: memoryTree(),
    newProject: true,
    source,
    force: false,
  });
  type Op = {
    parameters?: { name: string; required?: boolean }[];
    responses: Record<string, unknown>;
    requestBody?: { required: boolean };
  };
  const doc = buildOpenApi(init.manifest) as {
    paths: Record<string, Record<string, Op>>;
    components: { responses: Record<string, unknown> };
  };
  const object = doc.paths['/v1/r2/object']!.get!;
  expect(Object.keys(object.responses)).toEqual(expect.arrayContaining(['200', '206', '304', '404', '416']));
  const signedPut = doc.paths['/v1/r2/signed-put']!.get!;
  expect(signedPut.parameters?.find((p) => p.name === 'size')).toMatchObject({ required: true });
  expect(Object.keys(signedPut.responses)).toEqual(expect.arrayContaining(['413', '500']));
  // Uploads without Content-Length are accepted (multipart under the cap), so 411 is never answered.
  expect(Object.keys(doc.paths['/v1/r2/upload']!.post!.responses)).not.toContain('411');
  expect(doc.components.responses.Error411).toBeUndefined();
  expect(doc.paths['/v1/stream/direct-upload']!.post!.requestBody?.required).toBe(false);
});

describe('planAddAction (receiver)', () => {
  const addAction = (name: string, requiresUser: boolean, files = project) => {
    const parsed = parseManifest(files['appshell.json']!);
    if (!parsed.ok) throw new Error(parsed.message);
    return planAddAction({ name, requiresUser, manifest: parsed.manifest, tree: memoryTree({ ...files }), source, force: false });
  };

  it('adds the handler, its test and the registry entry; the sender’s OpenAPI action enum grows', () => {
    const result = addAction('send-invite', true);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const byPath = Object.fromEntries(result.files.map((file) => [file.path, file]));
    expect(byPath['workers/receiver/src/actions/send-invite.ts']?.content).toContain('export const sendInvite: UserActionHandler');
    expect(byPath['workers/receiver/test/actions/send-invite.test.ts']?.action).toBe('create');
    expect(byPath['workers/receiver/src/actions/index.ts']?.content).toContain(
      "{ name: 'send-invite', requiresUser: true, handler: sendInvite },",
    );
    const openapi = JSON.parse(byPath['openapi.json']!.content);
    expect(openapi.paths['/send'].post.requestBody.content['application/json'].schema.properties.action.enum).toContain('send-invite');
  });

  it('changes nothing the second time and refuses the name with another requiresUser', () => {
    const first = addAction('send-invite', false);
    if (!first.ok) throw new Error(first.message);
    const files = apply(project, first.files);
    const again = addAction('send-invite', false, files);
    expect(again.ok && again.files.every((file) => file.action === 'unchanged')).toBe(true);
    expect(addAction('send-invite', true, files)).toMatchObject({ ok: false, field: '<name>' });
  });

  it.each(['Send', 'send_invite', '-send', 'send--invite', 'index', 'a'.repeat(65)])('refuses the name %s', (name) => {
    expect(addAction(name, false)).toMatchObject({ ok: false });
  });
});

describe('planSyncRoutes', () => {
  it('rewrites the registries from an edited manifest and writes missing handlers only', () => {
    const edited = JSON.parse(project['appshell.json']!);
    edited.routes.push({ path: '/v1/orders', methods: ['GET'], public: false, roles: [], handler: 'orders' });
    edited.actions = edited.actions.filter((action: { name: string }) => action.name !== 'revoke-api-key');
    const files = { ...project, 'appshell.json': `${JSON.stringify(edited, null, 2)}\n` };
    const parsed = parseManifest(files['appshell.json']);
    if (!parsed.ok) throw new Error(parsed.message);
    const planned = planSyncRoutes({ manifest: parsed.manifest, tree: memoryTree(files), source, force: false });
    const byPath = Object.fromEntries(planned.map((file) => [file.path, file]));
    expect(byPath['workers/api/src/extensions/orders.ts']?.action).toBe('create');
    expect(byPath['workers/api/src/extensions/index.ts']?.content).toContain("path: '/v1/orders'");
    expect(byPath['workers/receiver/src/actions/index.ts']?.content).not.toContain('revoke-api-key');
    expect(byPath['workers/api/src/extensions/hello.ts']).toBeUndefined();
    expect(byPath['workers/receiver/src/actions/provision-api-key.ts']).toBeUndefined();
  });
});
