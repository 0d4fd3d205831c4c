// `appshell deploy --rehearse`: the whole deploy, with the real wrangler, to an emulated Cloudflare account on this
// machine, then a smoke flow against the Workers it deployed. This is the plan; cli/deploy-rehearse.ts runs it.
import { refuseEnvironment } from './deploy-plan.js';
import { kvNamespaceTitle } from './kv-namespaces.js';
import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { scriptName } from './workers/index.js';

/** What the identity stand-in accepts (cli/dev-identity.ts): the rehearsal's user. */
export const rehearsalUserToken = 'dev-user:rehearsal';
export const rehearsalUpload = { key: 'rehearsal/hello.txt', contentType: 'text/plain', body: 'hello from the rehearsal' };

/** One request of the smoke flow; `{token}` in a header is the session the first step got. */
export interface SmokeStep {
  name: string;
  worker: WorkerName;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** The response body must be exactly this text (a download). */
  expectText?: string;
  /** The step's JSON answer holds the session for the next steps (`token`). */
  capturesSession?: boolean;
}

export interface RehearsalPlan {
  env: string;
  /** The deployed Worker names, in deploy order (appshell deploy decides the order itself). */
  scripts: Record<WorkerName, string>;
  /** Where the account is kept between runs, if it is (`--rehearse-state`); else a fresh one each run. */
  stateDir?: string;
  smoke: SmokeStep[];
  /** The smoke steps that cannot run because the project lacks a Worker they need. */
  skipped: { name: string; needs: WorkerName }[];
  /**
   * The KV namespaces appshell.json records for this environment: they exist on the account the rehearsal stands
   * for, so the emulated one holds them too (else the recorded ids in the configs would name nothing there).
   */
  kvNamespaces: { id: string; title: string }[];
}

export type RehearsalPlanResult = { ok: true; plan: RehearsalPlan } | { ok: false; field: string; message: string };

const bearer = { authorization: 'Bearer {token}' };

/** The smoke flow the README's walkthrough describes, for the Workers this project has. Pure. */
export function planSmokeFlow(manifest: ProjectManifest): { steps: SmokeStep[]; skipped: { name: string; needs: WorkerName }[] } {
  const field = manifest.identity.provider === 'supabase' ? 'access_token' : 'refresh_token';
  const upload = rehearsalUpload;
  const all: SmokeStep[] = [
    {
      name: 'session from the auth shim',
      worker: 'auth-shim',
      method: 'POST',
      path: '/auth/session',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ [field]: rehearsalUserToken }),
      expectStatus: 200,
      capturesSession: true,
    },
    { name: 'authenticated API call', worker: 'api', method: 'GET', path: '/v1/projects', headers: bearer, expectStatus: 200 },
    {
      name: 'upload',
      worker: 'api',
      method: 'POST',
      path: `/v1/r2/upload?key=${encodeURIComponent(upload.key)}&contentType=${encodeURIComponent(upload.contentType)}`,
      headers: bearer,
      body: upload.body,
      expectStatus: 200,
    },
    {
      name: 'download',
      worker: 'api',
      method: 'GET',
      path: `/v1/r2/object?key=${encodeURIComponent(upload.key)}`,
      headers: bearer,
      expectStatus: 200,
      expectText: upload.body,
    },
    {
      name: 'signed sender → receiver action',
      worker: 'sender',
      method: 'POST',
      path: '/send',
      headers: { 'content-type': 'application/json', ...bearer },
      body: JSON.stringify({ action: 'list-api-keys' }),
      expectStatus: 200,
    },
  ];
  const has = (worker: WorkerName) => manifest.workers.includes(worker);
  const needs = (step: SmokeStep): WorkerName[] => {
    const session: WorkerName[] = step.capturesSession ? [] : ['auth-shim'];
    return [step.worker, ...session, ...(step.worker === 'sender' ? (['receiver'] as WorkerName[]) : [])];
  };
  const steps: SmokeStep[] = [];
  const skipped: { name: string; needs: WorkerName }[] = [];
  for (const step of all) {
    const missing = needs(step).find((worker) => !has(worker));
    if (missing) skipped.push({ name: step.name, needs: missing });
    else steps.push(step);
  }
  // Every Worker answers its health check, whatever else the project has.
  const health = manifest.workers.map(
    (worker): SmokeStep => ({ name: `${worker} health`, worker, method: 'GET', path: '/health', headers: {}, expectStatus: 200 }),
  );
  return { steps: [...health, ...steps], skipped };
}

/** Checks the flags and plans the rehearsal. Pure. */
export function planRehearsal(
  manifest: ProjectManifest,
  options: { env?: string; stateDir?: string; only?: string; dryRun?: boolean },
): RehearsalPlanResult {
  if (options.only !== undefined)
    return { ok: false, field: '--only', message: '--only cannot be used with --rehearse: a rehearsal deploys every Worker' };
  if (options.dryRun)
    return {
      ok: false,
      field: '--dry-run',
      message: '--dry-run cannot be used with --rehearse: a rehearsal uploads nothing to Cloudflare already',
    };
  const refused = refuseEnvironment(manifest, options.env);
  if (refused) return refused;
  // refuseEnvironment answered: it names one of the manifest's environments.
  const env = options.env as string;
  const scripts = Object.fromEntries(manifest.workers.map((worker) => [worker, scriptName(manifest.name, worker, env)])) as Record<
    WorkerName,
    string
  >;
  const { steps, skipped } = planSmokeFlow(manifest);
  const kvNamespaces = Object.entries(manifest.kvNamespaces[env] ?? {}).map(([binding, id]) => ({
    id,
    title: kvNamespaceTitle(manifest.name, binding, env),
  }));
  return {
    ok: true,
    plan: { env, scripts, ...(options.stateDir ? { stateDir: options.stateDir } : {}), smoke: steps, skipped, kvNamespaces },
  };
}
