import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { SignJWT } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAnswers } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { manifestFromAnswers } from '../generators/manifest-defaults.js';
import { renderProject } from '../generators/project-files.js';
import { loadTemplates } from '../generators/template-source.js';
import { makeTempDir, repoRoot } from './support/cli.js';

// A real browser (Debian's Chromium, headless) loads a page from an origin on 127.0.0.1 that calls the sender's
// POST /send with fetch. The sender and the receiver of a freshly rendered project run under `wrangler dev`
// (one process, the receiver behind the sender's RECEIVER service binding). From the allowed origin the call
// provisions an API key; from another origin (same page, another port) the browser blocks it, and the POST
// never reaches the sender because its preflight got no CORS answer.

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function pageHtml(senderUrl: string, jwt: string): string {
  return `<!doctype html><html><body><script>
const senderUrl = ${JSON.stringify(senderUrl)};
const jwt = ${JSON.stringify(jwt)};
// A JSON POST with a bearer token: the browser sends a preflight first.
window.provision = async () => {
  try {
    const response = await fetch(senderUrl + '/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + jwt },
      body: JSON.stringify({ action: 'provision-api-key', name: 'browser', tier: 'free' }),
    });
    const body = await response.json();
    return { status: response.status, token: typeof body.token === 'string' && body.token.startsWith('obtk_') };
  } catch (error) {
    return { blocked: String(error) };
  }
};
// A request without preflight: the browser sends it, but must not let the page read the answer.
window.simple = async () => {
  try {
    const response = await fetch(senderUrl + '/send', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    return { status: response.status };
  } catch (error) {
    return { blocked: String(error) };
  }
};
</script></body></html>`;
}

async function servePage(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Writes the rendered project; `node_modules` points at this repository's, so no install is needed. */
async function writeProject(root: string, manifest: ProjectManifest): Promise<void> {
  for (const file of renderProject(manifest, await loadTemplates())) {
    const path = join(root, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, { mode: file.mode ?? 0o644 });
  }
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
}

describe('sender CORS in a real browser', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let dev: ResultPromise | undefined;
  let browser: Browser | undefined;
  let output = '';
  const sendLines = (method: string) =>
    output.split('\n').filter((line) => line.includes('"path":"/send"') && line.includes(`"method":"${method}"`)).length;

  beforeAll(async () => {
    workspace = await makeTempDir('appshell-cors-');
    const root = join(workspace.dir, 'demo');
    const port = await freePort();
    const senderUrl = `http://127.0.0.1:${port}`;
    let html = '';
    [allowed, other] = await Promise.all([servePage(() => html), servePage(() => html)]);

    const manifest = manifestFromAnswers({ ...defaultAnswers('demo'), devOrigins: [allowed.origin] });
    await writeProject(root, manifest);
    // TEST-ONLY secrets, made fresh for this run, in the .dev.vars files wrangler dev reads (mode 0600).
    const signing = `whsec_${randomBytes(32).toString('base64')}`;
    const session = randomBytes(32).toString('base64url');
    await writeFile(join(root, 'workers/sender/.dev.vars'), `SIGNING_SECRETS=${signing}\n`, { mode: 0o600 });
    await writeFile(join(root, 'workers/receiver/.dev.vars'), `SIGNING_SECRETS=${signing}\nSESSION_JWT_SECRET=${session}\n`, {
      mode: 0o600,
    });
    const jwt = await new SignJWT({ roles: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('browser-user')
      .setIssuer(manifest.session.issuer)
      .setAudience(manifest.session.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(session));
    html = pageHtml(senderUrl, jwt);

    dev = execa(
      join(repoRoot, 'node_modules/.bin/wrangler'),
      [
        'dev',
        '-c',
        'workers/sender/wrangler.jsonc',
        '-c',
        'workers/receiver/wrangler.jsonc',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(await freePort()),
      ],
      {
        cwd: root,
        reject: false,
        stdin: 'ignore',
        all: true,
        env: { WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: join(workspace.dir, 'config'), CI: '1' },
      },
    );
    dev.all?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
      const health = await fetch(`${senderUrl}/health`).catch(() => undefined);
      if (health?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dev && dev.exitCode === null) {
      dev.kill('SIGINT');
      const stopped = await Promise.race([dev.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      if (!stopped) {
        dev.kill('SIGKILL');
        await dev;
      }
    }
    await Promise.all([allowed, other].filter(Boolean).map(({ server }) => new Promise((resolve) => server.close(resolve))));
    await workspace?.remove();
  });

  it('lets a page from the allowed origin provision an API key through /send', async () => {
    const tab = await browser!.newPage();
    await tab.goto(allowed.origin);
    expect(await tab.evaluate('window.provision()')).toEqual({ status: 200, token: true });
    await tab.close();
  });

  it('blocks the same page from another origin, and the POST never reaches the sender', async () => {
    const tab = await browser!.newPage();
    await tab.goto(other.origin);
    const [preflightsBefore, postsBefore] = [sendLines('OPTIONS'), sendLines('POST')];
    expect(await tab.evaluate('window.provision()')).toEqual({ blocked: expect.stringMatching(/Failed to fetch/) });
    // The log line of a request is written once it finished; give the preflight's a moment to arrive.
    const deadline = Date.now() + 5_000;
    while (sendLines('OPTIONS') === preflightsBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sendLines('OPTIONS')).toBe(preflightsBefore + 1);
    expect(sendLines('POST')).toBe(postsBefore);
    await tab.close();
  });

  it('does not let another origin read the answer even to a request that needs no preflight', async () => {
    const tab = await browser!.newPage();
    await tab.goto(other.origin);
    expect(await tab.evaluate('window.simple()')).toEqual({ blocked: expect.stringMatching(/Failed to fetch/) });
    await tab.goto(allowed.origin);
    expect(await tab.evaluate('window.simple()')).toEqual({ status: 415 });
    await tab.close();
  });
});
