import { readFile, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { execa, type ResultPromise } from 'execa';
import { SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, runCli } from './support/cli.js';

// The .dev.vars that `appshell secrets --local` writes are what the generated Workers read under the real
// `wrangler dev` (workerd): the auth shim publishes the public half of the JWK it finds there, and the receiver
// accepts a request signed with the SIGNING_SECRETS and carrying a session signed with the SESSION_JWT_SECRET
// found there, and refuses one signed with anything else.
let workspace: { dir: string; remove: () => Promise<void> };
const running: ResultPromise[] = [];
beforeAll(async () => {
  workspace = await makeTempDir('appshell-secrets-dev-');
});
afterAll(async () => {
  for (const child of running) stop(child);
  await Promise.allSettled(running);
  await workspace.remove();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Each wrangler leads its own process group (detached), so its workerd goes with it. */
function stop(child: ResultPromise): void {
  if (child.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** A generated project (node_modules from this repository) with `appshell secrets --local` run in it. */
async function projectWithLocalSecrets(name: string, flags: string[]) {
  const dir = join(workspace.dir, name);
  expect((await runCli(['init-worker', dir, '--name', 'demo', '--yes', '--no-install', '--no-git', ...flags])).exitCode).toBe(0);
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const local = await runCli(['secrets', '--local'], { cwd: dir });
  expect(local.exitCode, local.stderr).toBe(0);
  const devVars = async (worker: string) => parseDotenv(await readFile(join(dir, 'workers', worker, '.dev.vars'), 'utf8'));
  return { dir, devVars };
}

/** `wrangler dev` of one Worker on 127.0.0.1 and free ports; resolves once GET /health answers. */
async function startWorker(dir: string, worker: string): Promise<{ url: string; child: ResultPromise }> {
  const [port, inspector] = [await freePort(), await freePort()];
  const args = ['dev', '--config', 'wrangler.jsonc', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)];
  args.push('--persist-to', join(dir, '.wrangler', 'state'), '--show-interactive-dev-session=false');
  const child = execa(join(dir, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: join(dir, 'workers', worker),
    detached: true,
    reject: false,
    stdin: 'ignore',
    env: { WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer /health:\n${output}`);
    const health = await fetch(`${url}/health`).catch(() => undefined);
    if (health?.ok) {
      expect(await health.json()).toEqual({ ok: true, service: worker });
      return { url, child };
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('generated Workers start under wrangler dev with the .dev.vars appshell wrote', () => {
  it('auth-shim (EdDSA) publishes the public half of the Ed25519 JWK from its .dev.vars', async () => {
    const { dir, devVars } = await projectWithLocalSecrets('eddsa', ['--jwt-alg', 'EdDSA']);
    const jwk = JSON.parse((await devVars('auth-shim')).SESSION_JWT_PRIVATE_JWK!);
    const { url, child } = await startWorker(dir, 'auth-shim');
    try {
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; x: string; d?: string }[] };
      expect(jwks.keys.map((key) => ({ kid: key.kid, x: key.x }))).toContainEqual({ kid: jwk.kid, x: jwk.x });
      expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    } finally {
      stop(child);
      await child;
    }
  });

  it('receiver (HS256) accepts what is signed with its .dev.vars secrets and refuses anything else', async () => {
    const { dir, devVars } = await projectWithLocalSecrets('hs256', []);
    const vars = await devVars('receiver');
    expect(vars.SIGNING_SECRETS).toBe((await devVars('sender')).SIGNING_SECRETS);
    const { url, child } = await startWorker(dir, 'receiver');
    const session = (secret: string) =>
      new SignJWT({ roles: [] })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('user-1')
        .setIssuer('demo-auth-shim')
        .setAudience('demo-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
    const send = async (signingSecret: string, jwt: string) => {
      const body = JSON.stringify({ action: 'provision-api-key', name: 'ci', tier: 'free', jwt });
      const id = `msg_${crypto.randomUUID()}`;
      const signature = new Webhook(signingSecret).sign(id, new Date(), body);
      const response = await fetch(`${url}/inbox`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': signature,
        },
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const otherSigning = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    try {
      const accepted = await send(vars.SIGNING_SECRETS!, await session(vars.SESSION_JWT_SECRET!));
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(accepted.body).toMatchObject({ ok: true, tier: 'free', token: expect.stringMatching(/^obtk_/) });
      expect((await send(otherSigning, await session(vars.SESSION_JWT_SECRET!))).status).toBe(401);
      const wrongSession = await send(vars.SIGNING_SECRETS!, await session('x'.repeat(43)));
      expect(wrongSession).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    } finally {
      stop(child);
      await child;
    }
  });
});
