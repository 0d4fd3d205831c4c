// The example domain resource /v1/projects and its permission module: owners, members, admins; a caller
// who may not see a project gets 404 (its existence does not leak), one who may see it but not change it
// gets 403.
import { describe, expect, it } from 'vitest';
import { call, callAs, errorCode, jsonBody, newUserId, type SessionClaims } from './helpers.js';

interface ProjectJson {
  id: string;
  name: string;
  ownerId: string;
  memberIds: string[];
  tenant?: string;
  description?: string;
}

async function createProject(owner: SessionClaims, body: Record<string, unknown>): Promise<ProjectJson> {
  const response = await callAs(owner, '/v1/projects', jsonBody(body));
  expect(response.status).toBe(201);
  return ((await response.json()) as { project: ProjectJson }).project;
}

async function listIds(caller: SessionClaims): Promise<string[]> {
  const response = await callAs(caller, '/v1/projects');
  expect(response.status).toBe(200);
  return ((await response.json()) as { projects: ProjectJson[] }).projects.map((p) => p.id);
}

describe('/v1/projects', () => {
  it('creates, reads, updates and deletes a project for its owner', async () => {
    const owner = { sub: newUserId('owner') };
    const project = await createProject(owner, { name: '  Apollo  ', description: 'moon' });
    expect(project).toMatchObject({ name: 'Apollo', description: 'moon', ownerId: owner.sub, memberIds: [] });
    expect(project.id).toMatch(/^[0-9a-f-]{36}$/);

    expect(await listIds(owner)).toEqual([project.id]);
    const read = await callAs(owner, `/v1/projects/${project.id}`);
    expect(((await read.json()) as { project: ProjectJson }).project.name).toBe('Apollo');

    const patched = await callAs(owner, `/v1/projects/${project.id}`, jsonBody({ name: 'Artemis' }, 'PATCH'));
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { project: ProjectJson }).project.name).toBe('Artemis');

    const deleted = await callAs(owner, `/v1/projects/${project.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ deleted: true, id: project.id });
    expect((await callAs(owner, `/v1/projects/${project.id}`)).status).toBe(404);
    expect(await listIds(owner)).toEqual([]);
  });

  it("answers 404, not 403, when user B touches user A's project", async () => {
    const alice = { sub: newUserId('alice') };
    const bob = { sub: newUserId('bob') };
    const project = await createProject(alice, { name: 'Secret plan' });
    const attempts = [
      await callAs(bob, `/v1/projects/${project.id}`),
      await callAs(bob, `/v1/projects/${project.id}`, jsonBody({ name: 'Mine now' }, 'PATCH')),
      await callAs(bob, `/v1/projects/${project.id}`, jsonBody({ memberIds: [bob.sub] }, 'PATCH')),
      await callAs(bob, `/v1/projects/${project.id}`, { method: 'DELETE' }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('not_found');
    }
    // Same answer as for an id that never existed.
    const never = await callAs(bob, `/v1/projects/${crypto.randomUUID()}`);
    expect(never.status).toBe(404);
    expect(await listIds(bob)).toEqual([]);
    // And nothing changed for Alice.
    const still = await callAs(alice, `/v1/projects/${project.id}`);
    expect(((await still.json()) as { project: ProjectJson }).project).toMatchObject({ name: 'Secret plan', memberIds: [] });
  });

  it('lets a member see and edit, but not delete or change the members (403)', async () => {
    const owner = { sub: newUserId('owner') };
    const member = { sub: newUserId('member') };
    const project = await createProject(owner, { name: 'Shared', memberIds: [member.sub] });
    expect(await listIds(member)).toEqual([project.id]);
    expect((await callAs(member, `/v1/projects/${project.id}`, jsonBody({ description: 'edited' }, 'PATCH'))).status).toBe(200);

    const regroup = await callAs(member, `/v1/projects/${project.id}`, jsonBody({ memberIds: [] }, 'PATCH'));
    expect(regroup.status).toBe(403);
    expect(await errorCode(regroup)).toBe('forbidden');
    const remove = await callAs(member, `/v1/projects/${project.id}`, { method: 'DELETE' });
    expect(remove.status).toBe(403);

    // The owner removes the member: the member loses sight of it at once.
    expect((await callAs(owner, `/v1/projects/${project.id}`, jsonBody({ memberIds: [] }, 'PATCH'))).status).toBe(200);
    expect((await callAs(member, `/v1/projects/${project.id}`)).status).toBe(404);
    expect(await listIds(member)).toEqual([]);
  });

  it('lets an admin see and manage every project of the tenant, and nothing of another tenant', async () => {
    const tenant = `t${crypto.randomUUID().slice(0, 8)}`;
    const a = { sub: newUserId('a'), tenant };
    const b = { sub: newUserId('b'), tenant };
    const admin = { sub: newUserId('admin'), tenant, roles: ['admin'] };
    const outsider = { sub: newUserId('x'), tenant: `${tenant}-other`, roles: ['admin'] };
    const pa = await createProject(a, { name: 'A' });
    const pb = await createProject(b, { name: 'B' });

    expect((await listIds(admin)).sort()).toEqual([pa.id, pb.id].sort());
    expect((await callAs(admin, `/v1/projects/${pa.id}`)).status).toBe(200);
    expect((await callAs(admin, `/v1/projects/${pb.id}`, jsonBody({ memberIds: [a.sub] }, 'PATCH'))).status).toBe(200);
    expect(await listIds(a)).toContain(pb.id);

    expect(await listIds(outsider)).toEqual([]);
    expect((await callAs(outsider, `/v1/projects/${pa.id}`)).status).toBe(404);
    expect((await callAs(admin, `/v1/projects/${pa.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('does not count a "member" role claim as membership, nor an admin role as owning the tenant-less space', async () => {
    const owner = { sub: newUserId('owner') };
    const project = await createProject(owner, { name: 'No tenant' });
    const roleOnly = { sub: newUserId('r'), roles: ['member', 'owner'] };
    expect((await callAs(roleOnly, `/v1/projects/${project.id}`)).status).toBe(404);
    const tenantAdmin = { sub: newUserId('ta'), tenant: 'acme', roles: ['admin'] };
    expect((await callAs(tenantAdmin, `/v1/projects/${project.id}`)).status).toBe(404);
  });

  it.each([
    ['missing name', { description: 'x' }, 400, 'bad_request'],
    ['empty name', { name: '   ' }, 400, 'bad_request'],
    ['long name', { name: 'x'.repeat(101) }, 400, 'bad_request'],
    ['unknown field', { name: 'ok', members: ['u'] }, 400, 'bad_request'],
    ['member id with a separator', { name: 'ok', memberIds: ['a/b'] }, 400, 'bad_request'],
    ['too many members', { name: 'ok', memberIds: Array.from({ length: 51 }, (_, i) => `u${i}`) }, 400, 'bad_request'],
  ])('refuses a create body with %s', async (_name, body, status, code) => {
    const response = await callAs({ sub: newUserId() }, '/v1/projects', jsonBody(body));
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
  });

  it('refuses a body that is not JSON, not declared JSON, or too large', async () => {
    const caller = { sub: newUserId() };
    const notJson = await callAs(caller, '/v1/projects', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect([notJson.status, await errorCode(notJson)]).toEqual([400, 'invalid_json']);
    const asText = await callAs(caller, '/v1/projects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"name":"x"}',
    });
    expect([asText.status, await errorCode(asText)]).toEqual([415, 'unsupported_media_type']);
    const huge = await callAs(caller, '/v1/projects', jsonBody({ name: 'x', description: 'y'.repeat(20_000) }));
    expect([huge.status, await errorCode(huge)]).toEqual([413, 'too_large']);
    const array = await callAs(caller, '/v1/projects', jsonBody([{ name: 'x' }]));
    expect([array.status, await errorCode(array)]).toEqual([400, 'bad_request']);
  });

  it('needs a token for every project route', async () => {
    for (const [path, method] of [
      ['/v1/projects', 'GET'],
      ['/v1/projects', 'POST'],
      [`/v1/projects/${crypto.randomUUID()}`, 'DELETE'],
    ]) {
      const response = await call(path!, { method: method! });
      expect(response.status).toBe(401);
    }
  });
});
