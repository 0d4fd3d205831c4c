import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeTempDir, repoRoot, runCli } from './support/cli.js';

// A real browser (Debian's Chromium, headless) loads a page from an origin on 127.0.0.1 and calls the sender's
// POST /send with fetch: from the allowed origin it goes through (session from the auth shim, then an API key
// provisioned through sender and receiver); from another origin the browser blocks it.
const page = `<!doctype html><html><body><script>
window.run = async () => {
  try {
    const session = await fetch('http://127.0.0.1:8787/auth/session', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: 'dev-user:carol' }),
    }).then((r) => r.json());
    const response = await fetch('http://127.0.0.1:8789/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + session.token },
      body: JSON.stringify({ action: 'provision-api-key', name: 'browser', tier: 'free' }),
    });
    const body = await response.json();
    return { status: response.status, tokenShape: /^obtk_/.test(body.token) };
  } catch (error) {
    return { blocked: String(error) };
  }
};
</script></body></html>`;

async function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('sender CORS in a real browser', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let dev: ResultPromise;
  let browser: Browser;

  beforeAll(async () => {
    workspace = await makeTempDir('appshell-browser-');
    [allowed, other] = await Promise.all([servePage(), servePage()]);
    const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', '--origins', allowed.origin], { cwd: workspace.dir });
    expect(init.exitCode, init.stderr).toBe(0);
    const root = join(workspace.dir, 'demo');
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    dev = execa('node', [cliPath, 'dev'], { cwd: root, reject: false, stdin: 'ignore' });
    let output = '';
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const deadline = Date.now() + 120_000;
    while (!output.includes('Ctrl-C stops every Worker.')) {
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`appshell dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dev && dev.exitCode === null) {
      dev.kill('SIGINT');
      await dev;
    }
    await new Promise((resolve) => allowed.server.close(resolve));
    await new Promise((resolve) => other.server.close(resolve));
    await workspace.remove();
  });

  it('lets a page from the allowed origin call /send', async () => {
    const tab = await browser.newPage();
    await tab.goto(allowed.origin);
    expect(await tab.evaluate('window.run()')).toEqual({ status: 200, tokenShape: true });
    await tab.close();
  });

  it('blocks the same page from another origin', async () => {
    const tab = await browser.newPage();
    await tab.goto(other.origin);
    const result = (await tab.evaluate('window.run()')) as { blocked?: string };
    expect(result.blocked).toMatch(/Failed to fetch/);
    await tab.close();
  });
});
