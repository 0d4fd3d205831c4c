// The typed client a web or Node team uses (`hc<ApiApp>` from hono/client), against the real app in workerd: the calls
// below type-check against the route table (`npm run typecheck`), and the `@ts-expect-error` lines prove that a wrong
// path parameter, a wrong body and a wrong query are compile errors, not runtime surprises.
import { SELF } from 'cloudflare:test';
import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { ApiApp } from '../src/index.js';
import { base, bearer, newUserId } from './helpers.js';

async function client() {
  const headers = await bearer({ sub: newUserId(), roles: ['member'] });
  return hc<ApiApp>(base, { headers, fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init) });
}

describe('hc<ApiApp>', () => {
  it('creates, reads and lists a project with typed params, bodies and answers', async () => {
    const api = await client();
    const created = await api.v1.projects.$post({ json: { name: 'Apollo', memberIds: ['user_2'] } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const { project } = await created.json();
    expect(project.name).toBe('Apollo');

    const read = await api.v1.projects[':id'].$get({ param: { id: project.id } });
    if (read.status !== 200) throw new Error(`GET answered ${read.status}`);
    expect((await read.json()).project.memberIds).toEqual(['user_2']);

    const listed = await api.v1.projects.$get({ query: {} });
    if (listed.status !== 200) throw new Error(`list answered ${listed.status}`);
    expect((await listed.json()).projects.map((each) => each.id)).toContain(project.id);
  });

  it('calls the extension routes and the public health route', async () => {
    const api = await client();
    const hello = await api.v1.hello.$get();
    expect(hello.status).toBe(200);
    expect(await hello.json()).toMatchObject({ roles: ['member'] });
    const health = await api.health.$get();
    expect(await health.json()).toEqual({ ok: true, service: 'api' });
  });

  it('types what the schemas refuse as compile errors', async () => {
    const api = await client();
    // @ts-expect-error -- a project needs a name.
    const nameless = await api.v1.projects.$post({ json: { description: 'no name' } });
    expect(nameless.status).toBe(400);
    // @ts-expect-error -- the parameter of /v1/projects/:id is `id`.
    const misnamed = await api.v1.projects[':id'].$get({ param: { projectId: 'x' } });
    expect(misnamed.status).toBe(404);
    // @ts-expect-error -- `limit` is a query string, not a number.
    const numeric = await api.v1.r2.list.$get({ query: { limit: 5 } });
    expect(numeric.status).toBe(200);
  });
});
