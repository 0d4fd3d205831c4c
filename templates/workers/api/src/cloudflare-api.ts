import type { Context } from 'hono';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';

/** The Cloudflare REST API; `CF_API_BASE` replaces it (tests and local development point it at a stand-in). */
export const defaultCloudflareApiBase = 'https://api.cloudflare.com/client/v4';

/** Longest wait for one Cloudflare API call before the route answers 502. */
const upstreamTimeoutMs = 60_000;

/** An error whose `detail` (why, for the log line) never reaches the client; the client sees status, code, message. */
export class DetailedApiError extends ApiError {
  readonly detail: string;

  constructor(status: 500 | 502, detail: string) {
    super(
      status,
      status === 502 ? 'upstream_failed' : 'misconfigured',
      status === 502 ? 'Upstream service failed' : 'Server misconfigured',
    );
    this.detail = detail;
  }
}

/** Copies a `DetailedApiError`'s reason into the request's log line, then lets the error go on to `onError`. */
export function noteErrorDetail(c: Context<ApiEnv>, error: unknown): void {
  if (error instanceof DetailedApiError) c.set('errorDetail', error.detail);
}

/**
 * Calls `{CF_API_BASE}/accounts/{CF_ACCOUNT_ID}/{path}` with `Authorization: Bearer {CF_API_TOKEN}`. Network errors,
 * timeouts and non-2xx answers become 502 `upstream_failed` (the status and Cloudflare's error codes go to the log);
 * missing settings are 500 `misconfigured`.
 *
 * @example
 * const response = await callCloudflareApi(env, 'stream/direct_upload', { method: 'POST', body: JSON.stringify({ maxDurationSeconds: 60 }) });
 */
export async function callCloudflareApi(env: Env, path: string, init: RequestInit): Promise<Response> {
  if (!env.CF_ACCOUNT_ID || !env.CF_API_TOKEN) throw new DetailedApiError(500, `${path} needs CF_ACCOUNT_ID and the secret CF_API_TOKEN`);
  const base = (env.CF_API_BASE || defaultCloudflareApiBase).replace(/\/+$/, '');
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${env.CF_API_TOKEN}`);
  let response: Response;
  try {
    response = await fetch(`${base}/accounts/${encodeURIComponent(env.CF_ACCOUNT_ID)}/${path}`, {
      ...init,
      headers,
      signal: AbortSignal.timeout(upstreamTimeoutMs),
    });
  } catch (error) {
    // Network errors name the failure, never the request's headers.
    throw new DetailedApiError(502, `${path}: ${(error as Error).name}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const codes = await errorCodes(response);
    throw new DetailedApiError(502, `${path}: HTTP ${response.status}${codes ? ` (errors ${codes})` : ''}`);
  }
  return response;
}

/** Reads Cloudflare's JSON envelope `{success, result, errors}`; anything else, or `success: false`, is 502. */
export async function readApiResult<T>(response: Response, path: string): Promise<T> {
  let body: { success?: boolean; result?: T; errors?: { code?: number }[] };
  try {
    body = await response.json();
  } catch {
    throw new DetailedApiError(502, `${path}: answer is not JSON`);
  }
  if (body.success === false || body.result === undefined || body.result === null) {
    throw new DetailedApiError(502, `${path}: success=${String(body.success)}`);
  }
  return body.result;
}

async function errorCodes(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errors?: { code?: number }[] };
    return (body.errors ?? []).map((error) => error.code).join(',');
  } catch {
    return '';
  }
}
