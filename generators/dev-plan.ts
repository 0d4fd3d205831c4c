import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { devPorts } from './ports.js';
import { configFileName } from './wrangler-config.js';

/** The app id `appshell dev` uses when the project has none yet (the stand-in does not check it). */
export const devInstantAppId = '00000000-0000-4000-8000-000000000000';

/** Where each Worker's inspector listens: one port after another from here, in the manifest's order. */
const inspectorBase = 9230;

/**
 * The vars a local run gives a Worker on top of its config (`wrangler dev --var`, or the rehearsal's Workers): local
 * only, never written into a config. Only the auth shim has any: it talks to the local identity stand-in.
 */
export function localOverrideVars(manifest: ProjectManifest, worker: WorkerName, identityUrl: string): Record<string, string> {
  if (worker !== 'auth-shim') return {};
  // The stand-in does not check the anon key; the shim only needs one to be set.
  if (manifest.identity.provider === 'supabase') return { SUPABASE_URL: identityUrl, SUPABASE_ANON_KEY: 'appshell-dev-stand-in' };
  // The auth shim refuses to start a session without a well-formed app id; the stand-in accepts any.
  return { INSTANT_API_URI: identityUrl, INSTANT_APP_ID: manifest.identity.instantAppId ?? devInstantAppId };
}

/** The walkthrough `appshell dev` prints; every command works as printed against the local Workers. */
export function devWalkthrough(manifest: ProjectManifest): string[] {
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

/** One `wrangler dev` of `appshell dev`: where it runs, its arguments, and the URL whose /health says it is up. */
export interface DevWorkerRun {
  worker: WorkerName;
  /** The Worker's folder, relative to the project root. */
  dir: string;
  args: string[];
  url: string;
}

export interface DevPlan {
  /** In the manifest's order, started one after another (see `runDev`). */
  runs: DevWorkerRun[];
  walkthrough: string[];
}

/**
 * `appshell dev`: every Worker under its own `wrangler dev` on its fixed port (generators/ports.ts), all with one
 * local state folder under `root` (KV namespaces they share, such as API_KEYS, hold the same data), the auth shim
 * pointed at the identity stand-in. Pure: the caller gives the root and the stand-in's URL.
 *
 * @example
 * planDev(manifest, { root: '/work/my-api', identityUrl: 'http://127.0.0.1:41234' }).runs[0].args;
 * // ['dev', '--config', 'wrangler.jsonc', '--ip', '127.0.0.1', '--port', '8787', ...]
 */
export function planDev(manifest: ProjectManifest, options: { root: string; identityUrl: string }): DevPlan {
  const configFile = configFileName(manifest.configFormat);
  const runs = manifest.workers.map((worker, index): DevWorkerRun => {
    const port = String(devPorts[worker]);
    const args = ['dev', '--config', configFile, '--ip', '127.0.0.1', '--port', port, '--persist-to', `${options.root}/.wrangler/state`];
    args.push('--inspector-port', String(inspectorBase + index), '--show-interactive-dev-session=false');
    for (const [name, value] of Object.entries(localOverrideVars(manifest, worker, options.identityUrl)))
      args.push('--var', `${name}:${value}`);
    return { worker, dir: `workers/${worker}`, args, url: `http://127.0.0.1:${port}` };
  });
  return { runs, walkthrough: devWalkthrough(manifest) };
}
