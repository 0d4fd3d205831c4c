import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { createApiApp } from '../src/api-app.js';
import { describe, expect, it } from 'vitest';
import { base, errorCode, mintSession, newUserId } from './helpers.js';
import { r2Client, type ListedPage } from './storage-helpers.js';

// DESIGN §4: a caller can never read, list, overwrite or delete another caller's object. Every attempt by user B on
// user A's objects is 404 (as for a key that does not exist) or 400 (a key that tries to leave B's prefix).
describe("user B against user A's objects", () => {
  async function setUp() {
    const aliceId = newUserId('alice');
    const alice = await r2Client(aliceId);
    const bob = await r2Client(newUserId('bob'));
    expect((await alice.upload('secret.txt', 'for alice')).status).toBe(200);
    return { aliceId, alice, bob };
  }

  it('get, head and delete with the same relative key are 404, with or without conditions and ranges', async () => {
    const { aliceId, alice, bob } = await setUp();
    const etag = (await alice.head('secret.txt')).headers.get('etag')!;
    for (const response of [
      await bob.get('secret.txt'),
      await bob.get('secret.txt', { range: 'bytes=0-3' }),
      await bob.get('secret.txt', { 'if-none-match': etag }),
      await bob.head('secret.txt'),
      await bob.remove('secret.txt'),
      // A's full key, as a key relative to B's prefix, is just another missing object of B's.
      await bob.get(`${aliceId}/secret.txt`),
      await bob.remove(`${aliceId}/secret.txt`),
    ]) {
      expect(response.status).toBe(404);
    }
    expect(await (await alice.get('secret.txt')).text()).toBe('for alice');
  });

  it('list shows none of them, whatever the prefix or a cursor taken from A', async () => {
    const { alice, bob } = await setUp();
    await alice.upload('secret2.txt', 'x');
    const aliceCursor = ((await (await alice.list('?limit=1')).json()) as ListedPage).cursor!;
    expect(aliceCursor).toBeTruthy();
    for (const query of [
      '',
      '?prefix=secret',
      `?cursor=${encodeURIComponent(aliceCursor)}`,
      `?prefix=s&cursor=${encodeURIComponent(aliceCursor)}`,
    ]) {
      const page = (await (await bob.list(query)).json()) as ListedPage;
      expect(page.objects, query).toEqual([]);
    }
  });

  it("an upload with A's key lands in B's own space and leaves A's object alone", async () => {
    const { aliceId, alice, bob } = await setUp();
    expect((await bob.upload('secret.txt', 'bob writes his own')).status).toBe(200);
    expect(await (await alice.get('secret.txt')).text()).toBe('for alice');
    expect(await (await env.R2.get(`u/${aliceId}/secret.txt`))!.text()).toBe('for alice');
  });

  it("a presigned PUT for A's key is signed for B's prefix", async () => {
    const { aliceId, bob } = await setUp();
    for (const key of ['secret.txt', `${aliceId}/secret.txt`]) {
      const grant = (await (await bob.signedPut(`?key=${encodeURIComponent(key)}&size=1`)).json()) as { url: string; key: string };
      expect(grant.key).toBe(key);
      const path = decodeURIComponent(new URL(grant.url).pathname);
      expect(path.startsWith(`/${env.R2_BUCKET}/u/bob_`)).toBe(true);
      expect(path).not.toMatch(new RegExp(`^/${env.R2_BUCKET}/u/${aliceId}/`));
    }
  });

  it('traversal keys are 400 bad_key on every route', async () => {
    const { aliceId, bob } = await setUp();
    const keys = [
      `../${aliceId}/secret.txt`,
      `%2e%2e/${aliceId}/secret.txt`,
      `%252e%252e/${aliceId}/secret.txt`,
      `/${aliceId}/secret.txt`,
      `a\\..\\${aliceId}`,
      `x/../../${aliceId}/secret.txt`,
    ];
    for (const key of keys) {
      expect((await bob.head(key)).status, key).toBe(400);
      for (const response of [
        await bob.get(key),
        await bob.remove(key),
        await bob.upload(key, 'x'),
        await bob.signedPut(`?size=1&key=${encodeURIComponent(key)}`),
      ]) {
        expect(response.status, key).toBe(400);
        expect(await errorCode(response)).toBe('bad_key');
      }
    }
    expect((await bob.list('?prefix=../')).status).toBe(400);
    expect(await (await env.R2.get(`u/${aliceId}/secret.txt`))!.text()).toBe('for alice');
  });
});

describe('tenants and odd identities', () => {
  it('keeps tenants apart: the same user id in another tenant, or with no tenant, sees nothing', async () => {
    const userId = newUserId();
    expect((await (await r2Client(userId, 'acme')).upload('t.txt', 'acme')).status).toBe(200);
    expect(await env.R2.head(`t/acme/u/${userId}/t.txt`)).not.toBeNull();
    expect((await (await r2Client(userId, 'globex')).get('t.txt')).status).toBe(404);
    expect((await (await r2Client(userId)).get('t.txt')).status).toBe(404);
    expect(await (await (await r2Client(userId, 'acme')).get('t.txt')).text()).toBe('acme');
  });

  it('a session whose sub or tenant would leave its own segment is refused (401 by the verifier)', async () => {
    const victim = newUserId();
    await (await r2Client(victim, 'acme')).upload('v.txt', 'victim');
    for (const claims of [{ sub: `acme/${victim}` }, { sub: victim, tenant: 'acme/..' }, { sub: '..' }]) {
      const token = await mintSession(claims);
      const response = await SELF.fetch(`${base}/v1/r2/object?key=v.txt`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, JSON.stringify(claims)).toBe(401);
    }
  });

  it('an identity with a slash that got past a verifier (an API key record, say) still gets no storage (403)', async () => {
    const victim = newUserId();
    await (await r2Client(victim, 'acme')).upload('v.txt', 'victim');
    for (const identity of [{ userId: `acme/${victim}` }, { userId: victim, tenant: 'acme/..' }]) {
      // A verifier that trusts anything, standing in for any other credential path that yields such an identity.
      const app = createApiApp({
        extensions: [],
        auth: { sessionVerifier: () => async () => ({ ok: true, auth: { ...identity, roles: [] }, claims: {} }) },
      });
      for (const [method, path] of [
        ['GET', '/v1/r2/object?key=v.txt'],
        ['DELETE', '/v1/r2/object?key=v.txt'],
        ['GET', '/v1/r2/list'],
        ['GET', '/v1/r2/signed-put?size=1&key=v.txt'],
        ['POST', '/v1/r2/upload?key=v.txt'],
      ] as const) {
        const ctx = createExecutionContext();
        const response = await app.fetch(
          new Request(`${base}${path}`, {
            method,
            headers: { authorization: 'Bearer anything' },
            ...(method === 'POST' ? { body: 'x' } : {}),
          }),
          env,
          ctx,
        );
        await waitOnExecutionContext(ctx);
        expect(response.status, `${JSON.stringify(identity)} ${method} ${path}`).toBe(403);
      }
    }
    expect(await (await env.R2.get(`t/acme/u/${victim}/v.txt`))!.text()).toBe('victim');
  });
});

// Red-team finding: with `<tenant>/<userId>/` beside `<userId>/`, a tenant-less user whose id equals a tenant's name
// reached every object of that tenant's members, and a tenant named like a user reached into that user's folders.
describe('a tenant and a tenant-less user with the same name (t/<tenant>/u/<user>/ vs u/<user>/)', () => {
  type Client = Awaited<ReturnType<typeof r2Client>>;

  /** Every way `attacker` could touch the victim's object if both names mapped onto one prefix. */
  async function attack(attacker: Client, key: string, storedAt: string, victimContent: string) {
    expect((await attacker.get(key)).status).toBe(404);
    expect((await attacker.head(key)).status).toBe(404);
    const firstSegment = key.split('/')[0]!;
    for (const query of ['', `?prefix=${encodeURIComponent(firstSegment)}`, `?prefix=${encodeURIComponent(key)}`]) {
      expect(((await (await attacker.list(query)).json()) as ListedPage).objects, query).toEqual([]);
    }
    expect((await attacker.remove(key)).status).toBe(404);
    const grant = (await (await attacker.signedPut(`?key=${encodeURIComponent(key)}&size=4`)).json()) as { url: string };
    expect(decodeURIComponent(new URL(grant.url).pathname)).not.toBe(`/${env.R2_BUCKET}/${storedAt}`);
    expect((await attacker.upload(key, 'evil')).status).toBe(200);
    expect(await (await env.R2.get(storedAt))!.text()).toBe(victimContent);
  }

  it("a tenant-less user named like a tenant cannot read, list, overwrite, delete or presign the tenant's objects", async () => {
    const tenant = newUserId('acme');
    const member = newUserId('member');
    const victim = await r2Client(member, 'placeholder');
    const tenantMember = await r2Client(member, tenant);
    expect((await tenantMember.upload('doc.txt', 'tenant doc')).status).toBe(200);
    expect(victim.token).not.toBe(tenantMember.token);
    await attack(await r2Client(tenant), `${member}/doc.txt`, `t/${tenant}/u/${member}/doc.txt`, 'tenant doc');
  });

  it("a member of a tenant named like a user cannot read, list, overwrite, delete or presign that user's objects", async () => {
    const user = newUserId('victim');
    const member = newUserId('docs');
    const owner = await r2Client(user);
    expect((await owner.upload(`${member}/file.txt`, 'user file')).status).toBe(200);
    await attack(await r2Client(member, user), 'file.txt', `u/${user}/${member}/file.txt`, 'user file');
  });
});
