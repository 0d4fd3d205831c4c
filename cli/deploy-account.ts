import { bindsR2, checkAccount, type AccountProblem, type CloudflareAnswer } from '../generators/account-preflight.js';
import type { WorkerName } from '../generators/answers.js';
import { readWranglerFailure } from '../generators/deploy-plan.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { workerConfigPath } from '../generators/wrangler-config.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

/** Where wrangler sends its calls: `CLOUDFLARE_API_BASE_URL` (the emulated account in tests), else Cloudflare. */
function apiBase(environment: NodeJS.ProcessEnv): string {
  return (environment.CLOUDFLARE_API_BASE_URL || 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
}

async function get<T>(url: string, token: string): Promise<CloudflareAnswer<T>> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
    const body = (await response.json().catch(() => ({}))) as {
      success?: boolean;
      result?: T;
      errors?: { code?: number; message?: string }[];
    };
    if (response.ok && body.success !== false) return { ok: true, result: body.result as T };
    const error = body.errors?.[0];
    return {
      ok: false,
      status: response.status,
      ...(error?.code !== undefined ? { code: error.code } : {}),
      message: error?.message ?? response.statusText,
    };
  } catch (error) {
    return { ok: false, status: 0, message: (error as Error).message };
  }
}

/**
 * Asks the account what a deploy would only find out after an upload (its workers.dev subdomain, R2 enabled). With
 * the API token CI gives wrangler, both straight from the API. With `wrangler login` instead (a person at a
 * terminal) there is no token to ask with: R2 is asked through `wrangler r2 bucket list`, and wrangler's own prompt
 * offers to register a missing subdomain.
 */
export async function preflightAccount(
  context: { root: string; manifest: ProjectManifest; wrangler: WranglerCommand },
  workers: readonly WorkerName[],
  environment: NodeJS.ProcessEnv = process.env,
): Promise<AccountProblem[]> {
  const { manifest } = context;
  const token = environment.CLOUDFLARE_API_TOKEN;
  const accountId = environment.CLOUDFLARE_ACCOUNT_ID || manifest.accountId;
  const r2Worker = workers.find((worker) => bindsR2(manifest, [worker]));
  if (!token || !accountId) {
    if (!r2Worker) return [];
    const listed = await runWrangler(context.wrangler, ['r2', 'bucket', 'list', '--config', workerConfigPath(manifest, r2Worker)], {
      cwd: context.root,
    });
    const failure = listed.exitCode === 0 ? undefined : readWranglerFailure('', listed.all);
    const r2: CloudflareAnswer<unknown> = failure
      ? { ok: false, status: 0, ...(failure.code !== undefined ? { code: failure.code } : {}), message: failure.message }
      : { ok: true, result: null };
    return checkAccount({ accountId: accountId ?? 'the account wrangler is logged in to', r2 });
  }
  const account = `${apiBase(environment)}/accounts/${accountId}`;
  const [subdomain, r2] = await Promise.all([
    get<{ subdomain?: string | null }>(`${account}/workers/subdomain`, token),
    r2Worker ? get<unknown>(`${account}/r2/buckets?per_page=1`, token) : Promise.resolve(undefined),
  ]);
  return checkAccount({ accountId, subdomain, ...(r2 ? { r2 } : {}) });
}
