import { bindsR2, checkAccount, type AccountProblem, type CloudflareAnswer } from '../generators/account-preflight.js';
import type { WorkerName } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';

/** Where wrangler sends its calls: `CLOUDFLARE_API_BASE_URL` (the emulated account in tests), else Cloudflare. */
function apiBase(environment: NodeJS.ProcessEnv): string {
  return (environment.CLOUDFLARE_API_BASE_URL || 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
}

async function get<T>(url: string, token: string): Promise<CloudflareAnswer<T>> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
    const body = (await response.json().catch(() => ({}))) as { success?: boolean; result?: T; errors?: { code?: number; message?: string }[] };
    if (response.ok && body.success !== false) return { ok: true, result: body.result as T };
    const error = body.errors?.[0];
    return { ok: false, status: response.status, ...(error?.code !== undefined ? { code: error.code } : {}), message: error?.message ?? response.statusText };
  } catch (error) {
    return { ok: false, status: 0, message: (error as Error).message };
  }
}

/**
 * Asks the account what a non-interactive deploy would only find out after an upload (its workers.dev subdomain, R2
 * enabled) with the API token CI gives wrangler. With `wrangler login` instead (a person at a terminal) there is no
 * token to ask with: returns undefined, and wrangler's own prompts and messages apply.
 */
export async function preflightAccount(
  manifest: ProjectManifest,
  workers: readonly WorkerName[],
  environment: NodeJS.ProcessEnv = process.env,
): Promise<AccountProblem[] | undefined> {
  const token = environment.CLOUDFLARE_API_TOKEN;
  const accountId = environment.CLOUDFLARE_ACCOUNT_ID || manifest.accountId;
  if (!token || !accountId) return undefined;
  const account = `${apiBase(environment)}/accounts/${accountId}`;
  const [subdomain, r2] = await Promise.all([
    get<{ subdomain?: string | null }>(`${account}/workers/subdomain`, token),
    bindsR2(manifest, workers) ? get<unknown>(`${account}/r2/buckets?per_page=1`, token) : Promise.resolve(undefined),
  ]);
  return checkAccount({ accountId, subdomain, ...(r2 ? { r2 } : {}) });
}
