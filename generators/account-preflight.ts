import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { workerDescriptors } from './workers/index.js';

/** One answer of the Cloudflare API, as `cli/deploy-account.ts` read it. */
export type CloudflareAnswer<T> = { ok: true; result: T } | { ok: false; status: number; code?: number; message: string };

/** What the account said before a deploy: its workers.dev subdomain, and R2 when a Worker binds a bucket. */
export interface AccountAnswers {
  accountId: string;
  /** Not asked with `wrangler login` (no token to ask with): wrangler offers to register one at the terminal. */
  subdomain?: CloudflareAnswer<{ subdomain?: string | null }>;
  r2?: CloudflareAnswer<unknown>;
}

export interface AccountProblem {
  name: string;
  message: string;
  fix: string;
}

/** Whether any Worker of this deploy binds an R2 bucket (then R2 must be enabled on the account). */
export function bindsR2(manifest: ProjectManifest, workers: readonly WorkerName[]): boolean {
  return workers.some((worker) => workerDescriptors[worker].bindings(manifest).r2Buckets.length > 0);
}

const refusal = (answer: { status: number; code?: number; message: string }) =>
  `${answer.code !== undefined ? `code ${answer.code}: ` : answer.status ? `HTTP ${answer.status}: ` : ''}${answer.message}`;

/**
 * What stops a deploy on this account once wrangler has uploaded something, found before the first upload: no
 * workers.dev subdomain (wrangler uploads, then fails to give the Worker its URL) and R2 not enabled (the bucket
 * cannot be created). A call the token may not make is named with the permission it needs.
 */
export function checkAccount(answers: AccountAnswers): AccountProblem[] {
  const problems: AccountProblem[] = [];
  const { subdomain, r2, accountId } = answers;
  if (!subdomain) {
    // Asked by wrangler itself.
  } else if (subdomain.ok ? !subdomain.result.subdomain : subdomain.code === 10007) {
    problems.push({
      name: 'workers.dev subdomain',
      message: `account ${accountId} has no workers.dev subdomain, so wrangler cannot give the Workers their URLs`,
      fix: 'open Workers & Pages in the Cloudflare dashboard once and choose the subdomain',
    });
  } else if (!subdomain.ok) {
    problems.push({
      name: 'workers.dev subdomain',
      message: `the account's workers.dev subdomain could not be read (${refusal(subdomain)})`,
      fix: 'check CLOUDFLARE_ACCOUNT_ID, and that the API token has Account > Workers Scripts: Edit',
    });
  }
  if (r2 && !r2.ok) {
    problems.push(
      r2.code === 10042
        ? {
            name: 'R2',
            message: `R2 is not enabled on account ${accountId}, and the api Worker binds a bucket`,
            fix: 'enable R2 once in the Cloudflare dashboard (R2 Object Storage > Overview), then deploy again',
          }
        : {
            name: 'R2',
            message: `the account's R2 buckets could not be listed (${refusal(r2)})`,
            fix: 'give the API token Account > Workers R2 Storage: Edit',
          },
    );
  }
  return problems;
}
