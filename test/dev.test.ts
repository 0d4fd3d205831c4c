import { readdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeTempDir, repoRoot, runCli, snapshotTree } from './support/cli.js';

/** Lines a process printed so far, and a way to wait for one. */
function collect(child: ResultPromise) {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    text: () => text,
    waitFor: async (pattern: RegExp, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

/** Processes whose working directory is inside `dir` (wrangler and workerd run from the Worker folders). */
async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if ((await readlink(`/proc/${pid}/cwd`)).startsWith(dir))
        found.push(`${pid} ${(await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

// `appshell dev` end to end: every Worker on its port, a session from the auth shim (through the real
// @instantdb/admin SDK, answered by the local identity stand-in) used on the API, and a clean stop.
describe('appshell dev', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let root: string;
  let child: ResultPromise;
  let output: ReturnType<typeof collect>;

  beforeAll(async () => {
    workspace = await makeTempDir('appshell-dev-');
    expect((await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git'], { cwd: workspace.dir })).exitCode).toBe(0);
    root = join(workspace.dir, 'demo');
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    // A role-gated extension route, for the API key test below.
    expect((await runCli(['add-route', '/v1/vip', '--roles', 'enterprise'], { cwd: root })).exitCode).toBe(0);
    child = execa('node', [cliPath, 'dev'], { cwd: root, reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0' } });
    output = collect(child);
    await output.waitFor(/Ctrl-C stops every Worker\./, 120_000);
    // The check at the end must see what it is meant to see: the Workers run from inside the project.
    expect((await processesUnder(root)).length).toBeGreaterThanOrEqual(4);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await workspace.remove();
  });

  it('serves every Worker on its printed port', async () => {
    for (const [worker, port] of [
      ['auth-shim', 8787],
      ['api', 8788],
      ['sender', 8789],
      ['receiver', 8790],
    ] as const) {
      expect(output.text()).toContain(`${worker.padEnd(10)} http://127.0.0.1:${port}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await response.json()).toEqual({ ok: true, service: worker });
    }
  });

  it('writes .dev.vars with one shared session secret, mode 0600', async () => {
    const read = async (worker: string) => {
      const path = join(root, 'workers', worker, '.dev.vars');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      return /SESSION_JWT_SECRET='([^']+)'/.exec(await readFile(path, 'utf8'))?.[1];
    };
    const authSecret = await read('auth-shim');
    expect(authSecret).toMatch(/^hs256_\d{10}_[A-Za-z0-9_-]{43}$/);
    expect(await read('api')).toBe(authSecret);
    expect(output.text()).not.toContain(authSecret!);
  });

  it('runs the printed walkthrough: a session from the auth shim, the API with it, an upload and its download', async () => {
    const text = output.text();
    const sessionUrl = /curl -s -X POST (http:\/\/127\.0\.0\.1:8787\/auth\/session)/.exec(text)?.[1];
    const body = /-d '(\{"refresh_token":"dev-user:alice"\})'/.exec(text)?.[1];
    expect(sessionUrl).toBeDefined();
    const session = await fetch(sessionUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(session.status).toBe(200);
    const { token, user } = (await session.json()) as { token: string; user: { id: string } };
    expect(user.id).toBe('alice');
    const projectsUrl = /curl -s (http:\/\/127\.0\.0\.1:8788\/v1\/projects) /.exec(text)?.[1];
    const projects = await fetch(projectsUrl!, { headers: { authorization: `Bearer ${token}` } });
    expect(projects.status).toBe(200);
    expect(await projects.json()).toEqual({ projects: [] });
    const hello = await fetch('http://127.0.0.1:8788/v1/hello', { headers: { authorization: `Bearer ${token}` } });
    expect(await hello.json()).toMatchObject({ hello: 'alice' });
    const refused = await fetch(sessionUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"refresh_token":"not-a-dev-token"}',
    });
    expect(refused.status).toBe(401);

    // 3. upload and 4. download, exactly as printed.
    const uploadUrl = /curl -s -X POST '(http:\/\/127\.0\.0\.1:8788\/v1\/r2\/upload\?[^']+)'/.exec(text)?.[1];
    const payload = /--data-binary '([^']+)'/.exec(text)?.[1];
    const uploaded = await fetch(uploadUrl!, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: payload });
    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toMatchObject({ key: 'hello.txt', size: payload!.length });
    const downloadUrl = /curl -s '(http:\/\/127\.0\.0\.1:8788\/v1\/r2\/object\?key=hello\.txt)'/.exec(text)?.[1];
    const downloaded = await fetch(downloadUrl!, { headers: { authorization: `Bearer ${token}` } });
    expect(downloaded.status).toBe(200);
    expect(await downloaded.text()).toBe(payload);
  });

  it('provisions an API key through sender and receiver, uses it on the API with no more than the session may, lists and revokes it', async () => {
    const session = await fetch('http://127.0.0.1:8787/auth/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'dev-user:bob' }),
    });
    const { token } = (await session.json()) as { token: string };
    const send = (body: unknown) =>
      fetch('http://127.0.0.1:8789/send', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    // Red-team finding: tier "enterprise" became the enterprise role. Now a tier outside the operator's allow-list
    // is 400, a role the session lacks is 403, and the key gets no role from its tier.
    expect((await send({ action: 'provision-api-key', name: 'ci', tier: 'enterprise' })).status).toBe(400);
    expect((await send({ action: 'provision-api-key', name: 'ci', roles: ['enterprise'] })).status).toBe(403);
    const provisioned = await send({ action: 'provision-api-key', name: 'ci', tier: 'free' });
    expect(provisioned.status).toBe(200);
    const key = (await provisioned.json()) as { token: string; keyId: string; tier: string; roles: string[]; expires_at: string };
    expect(key).toMatchObject({ token: expect.stringMatching(/^obtk_/), tier: 'free', roles: [] });
    const withKey = await fetch('http://127.0.0.1:8788/v1/hello', { headers: { authorization: `Bearer ${key.token}` } });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ hello: 'bob', roles: [] });
    for (const credential of [token, key.token]) {
      const vip = await fetch('http://127.0.0.1:8788/v1/vip', { headers: { authorization: `Bearer ${credential}` } });
      expect(vip.status).toBe(403);
    }
    const listed = (await (await send({ action: 'list-api-keys' })).json()) as { keys: { keyId: string }[] };
    expect(listed.keys.map((listedKey) => listedKey.keyId)).toEqual([key.keyId]);
    const revoked = await send({ action: 'revoke-api-key', keyId: key.keyId });
    expect(revoked.status).toBe(200);
    const refused = await fetch('http://127.0.0.1:8788/v1/hello', { headers: { authorization: `Bearer ${key.token}` } });
    expect(refused.status).toBe(401);
  });

  it('keeps the identity stand-in out of every config file', async () => {
    const files = await snapshotTree(root);
    for (const path of Object.keys(files).filter((name) => /wrangler\.(jsonc|toml)$/.test(name))) {
      const config = await readFile(join(root, path), 'utf8');
      expect(config).not.toMatch(/127\.0\.0\.1|INSTANT_API_URI":\s*"http/);
    }
    const dryRun = await runCli(['deploy', '--dry-run', '--env', 'production', '--only', 'auth-shim', '--json'], { cwd: root });
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
  });

  it('stops every process it started on Ctrl-C', async () => {
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await processesUnder(root)).toEqual([]);
    await expect(fetch('http://127.0.0.1:8788/health')).rejects.toThrow();
  });
});
