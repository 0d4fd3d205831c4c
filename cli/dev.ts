import type { ResultPromise } from 'execa';
import type { WorkerName } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { devPorts } from '../generators/ports.js';
import { configFileName } from '../generators/wrangler-config.js';
import { startIdentityStandIn, type RunningIdentityStandIn } from './dev-identity.js';
import { CliError } from './errors.js';
import { print } from './output.js';
import { loadProject } from './project.js';
import { ensureLocalDevVars } from './dev-vars.js';
import { findWrangler } from './wrangler.js';

/** `appshell dev` takes no options yet; the ports are fixed (generators/ports.ts). */
export type DevFlags = Record<string, never>;

const inspectorBase = 9230;

/** The vars `wrangler dev` gets on its command line: local only, never written into a config. */
export function localOverrides(manifest: ProjectManifest, worker: WorkerName, identityUrl: string): string[] {
  if (worker !== 'auth-shim') return [];
  // The stand-in does not check the anon key; the shim only needs one to be set.
  if (manifest.identity.provider === 'supabase') return [`SUPABASE_URL:${identityUrl}`, 'SUPABASE_ANON_KEY:appshell-dev-stand-in'];
  // The auth shim refuses to start a session without a well-formed app id; the stand-in accepts any.
  const appId = manifest.identity.instantAppId ?? devInstantAppId;
  return [`INSTANT_API_URI:${identityUrl}`, `INSTANT_APP_ID:${appId}`];
}

/** The app id `appshell dev` uses when the project has none yet (the stand-in does not check it). */
export const devInstantAppId = '00000000-0000-4000-8000-000000000000';

/** The walkthrough `appshell dev` prints; every command works as printed against the local Workers. */
export function walkthrough(manifest: ProjectManifest): string[] {
  const auth = `http://127.0.0.1:${devPorts['auth-shim']}`;
  const api = `http://127.0.0.1:${devPorts.api}`;
  const field = manifest.identity.provider === 'supabase' ? 'access_token' : 'refresh_token';
  const has = (worker: WorkerName) => manifest.workers.includes(worker);
  if (!has('auth-shim') || !has('api')) return ['Each Worker answers GET /health.'];
  return [
    'Try it (the local identity stand-in accepts development tokens of the form dev-user:<id>):',
    '',
    '  # 1. get a session JWT from the auth shim',
    `  TOKEN=$(curl -s -X POST ${auth}/auth/session -H 'content-type: application/json' -d '{"${field}":"dev-user:alice"}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')`,
    '  # 2. call the API with it',
    `  curl -s ${api}/v1/projects -H "authorization: Bearer $TOKEN"`,
    '  # 3. upload a file (stored under your own prefix in local R2)',
    `  curl -s -X POST '${api}/v1/r2/upload?key=hello.txt&contentType=text/plain' -H "authorization: Bearer $TOKEN" --data-binary 'hello from appshell'`,
    '  # 4. download it',
    `  curl -s '${api}/v1/r2/object?key=hello.txt' -H "authorization: Bearer $TOKEN"`,
  ];
}

async function waitForHealth(url: string, child: ResultPromise, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CliError(`${url} did not become healthy${exited ? ' (wrangler exited)' : ` within ${timeoutMs / 1000} s`}`);
}

/**
 * `appshell dev`: every Worker under its own `wrangler dev` on a fixed port (wrangler serves only the first of
 * several `--config`s on a port; the others would be reachable only through bindings), service bindings resolved
 * through wrangler's local dev registry, a local identity stand-in, and `.dev.vars` made if missing.
 */
export async function runDev(_flags: DevFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const wrangler = findWrangler(root);
  await ensureLocalDevVars(root, manifest);
  const { execa } = await import('execa');
  const identity: RunningIdentityStandIn = await startIdentityStandIn();
  print(`identity stand-in (development only) ${identity.url}`);

  const children: { worker: WorkerName; child: ResultPromise }[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) {
      // Each wrangler leads its own process group, so its workerd goes with it.
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    await Promise.allSettled(children.map(({ child }) => child));
    await identity.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const configFile = configFileName(manifest.configFormat);
  // One after another: the Workers share one local state folder, and workerd processes opening its SQLite
  // files at the same moment can find them locked.
  for (const [index, worker] of manifest.workers.entries()) {
    // One local state folder for every Worker: KV namespaces they share (API_KEYS) hold the same data.
    const args = ['dev', '--config', configFile, '--ip', '127.0.0.1', '--port', String(devPorts[worker]), '--persist-to', `${root}/.wrangler/state`];
    args.push('--inspector-port', String(inspectorBase + index), '--show-interactive-dev-session=false');
    for (const override of localOverrides(manifest, worker, identity.url)) args.push('--var', override);
    const child = execa(wrangler.file, args, {
      cwd: `${root}/workers/${worker}`,
      detached: true,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: { WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) print(`[${worker}] ${line}`);
      });
    }
    void child.then((result) => {
      if (!stopping) {
        print(`${worker}: wrangler dev exited (${result.exitCode}); stopping the other Workers`);
        void stop(1);
      }
    });
    children.push({ worker, child });
    try {
      await waitForHealth(`http://127.0.0.1:${devPorts[worker]}`, child, 60_000);
    } catch (error) {
      print((error as Error).message);
      await stop(1);
      return;
    }
  }
  print('');
  for (const worker of manifest.workers) print(`${worker.padEnd(10)} http://127.0.0.1:${devPorts[worker]}`);
  print('');
  for (const line of walkthrough(manifest)) print(line);
  print('');
  print('Ctrl-C stops every Worker.');
}
